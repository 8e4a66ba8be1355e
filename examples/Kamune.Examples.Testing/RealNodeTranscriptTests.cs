using System.Net;
using Akka.Actor;
using Kamune.TestKit;

namespace Kamune.Examples.Testing;

// Two real nodes over loopback TCP, each recording its frames: a transcript from the real runtime, no relay needed.
public sealed class RealNodeTranscriptTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Each_node_records_the_frames_it_wrote_and_the_other_read_them_unchanged()
    {
        using var listenerKey = IdentityKeyPair.FromSeed(DeterministicRandomSource.IdentitySeed(1, 1));
        using var dialerKey = IdentityKeyPair.FromSeed(DeterministicRandomSource.IdentitySeed(1, 2));
        var listenerFrames = new FrameRecorder();
        var dialerFrames = new FrameRecorder();
        var listener = KamuneSystem.Create("listener", new KamuneNodeOptions(listenerKey, AcceptAllVerifier.Instance) { FrameObserver = listenerFrames });
        var dialer = KamuneSystem.Create("dialer", new KamuneNodeOptions(dialerKey, AcceptAllVerifier.Instance) { FrameObserver = dialerFrames });
        try
        {
            var atListener = CreateTestProbe();
            var atDialer = CreateTestProbe();
            var bound = (IPEndPoint)await KamuneExtension.Get(listener).ListenAsync("127.0.0.1", 0, atListener.Ref);
            await KamuneExtension.Get(dialer).DialAsync("127.0.0.1", bound.Port, atDialer.Ref);
            var session = atDialer.ExpectMsg<SessionEstablished>().Session;
            atListener.ExpectMsg<SessionEstablished>();
            session.Tell(new SendMessage("over tcp"u8.ToArray()), atDialer.Ref);
            atListener.ExpectMsg<MessageReceived>();

            Assert.Equal(1216, dialerFrames.Sent[0].Length);
            Assert.Equal(2338, listenerFrames.Sent[0].Length);
            AwaitAssert(() => Assert.Equal(dialerFrames.Sent.ToStream(), listenerFrames.Received.ToStream()));
        }
        finally
        {
            await Task.WhenAll(dialer.Terminate(), listener.Terminate());
        }
    }
}

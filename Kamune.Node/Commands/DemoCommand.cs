using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Commands;

/// <summary>
/// <c>kamune-node demo</c>: two nodes in this process on loopback with fresh identities, the whole handshake,
/// messages both ways, a graceful close, and how long each phase took. Needs no set-up and touches no files.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] AliceSays = ["Hello Bob, this is Alice.", "Every message is signed, padded and encrypted.", "Bye for now."];
    private static readonly string[] BobSays = ["Hi Alice, Bob here.", "Read you loud and clear.", "Bye!"];

    public static Command Create(TextWriter output)
    {
        var command = new Command("demo", "Run two nodes on loopback: handshake, messages both ways, graceful close, timings");
        command.SetAction((_, _) => RunAsync(output));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output)
    {
        var phases = new List<(string Phase, TimeSpan Took)>();
        var clock = Stopwatch.StartNew();
        void Phase(string name)
        {
            phases.Add((name, clock.Elapsed));
            clock.Restart();
        }

        output.WriteLine("Kamune demo: two nodes, Alice and Bob, on 127.0.0.1 with fresh identities.");
        using var aliceKey = IdentityKeyPair.Generate(SystemRandomSource.Instance);
        using var bobKey = IdentityKeyPair.Generate(SystemRandomSource.Instance);
        PrintIdentity(output, "Alice", aliceKey.PublicIdentity);
        PrintIdentity(output, "Bob", bobKey.PublicIdentity);
        Phase("identities (Ed25519)");

        var config = NodeConfig.Defaults();
        var alice = new Side("Alice");
        var bob = new Side("Bob");
        await using var aliceNode = NodeRuntime.Start("alice", config, aliceKey, new ShowingVerifier("Alice", output));
        await using var bobNode = NodeRuntime.Start("bob", config, bobKey, new ShowingVerifier("Bob", output));
        var aliceHub = aliceNode.System.ActorOf(SessionHub.Props(aliceNode.Manager, alice, echo: false, onDial: null), "hub");
        var bobHub = bobNode.System.ActorOf(SessionHub.Props(bobNode.Manager, bob, echo: false, onDial: null), "hub");
        var bobAddress = await bobNode.ListenAsync(new PeerAddress("127.0.0.1", 0), bobHub, StepTimeout).ConfigureAwait(false);
        output.WriteLine($"Bob listens on {bobAddress}.");
        Phase("start nodes, listen");

        output.WriteLine($"Alice dials {bobAddress}: X-Wing exchange, introductions, ML-KEM-768 handshake, challenges...");
        var dialed = await aliceHub.Ask<DialOutcome>(new HubDial(PeerAddress.Parse(bobAddress, false, "demo")), StepTimeout).ConfigureAwait(false);
        if (dialed.Session is not { } aliceSession)
        {
            throw new NodeException($"demo: the handshake failed: {dialed.Error}");
        }

        var aliceUp = await alice.Next<NodeEvent.SessionEstablished>().ConfigureAwait(false);
        var bobUp = await bob.Next<NodeEvent.SessionEstablished>().ConfigureAwait(false);
        if (aliceUp.SessionId != bobUp.SessionId)
        {
            throw new NodeException($"demo: expected one session id on both sides, got {aliceUp.SessionId} and {bobUp.SessionId}");
        }

        output.WriteLine($"Session {aliceUp.SessionId} established: Alice is {aliceUp.Role}, Bob is {bobUp.Role}.");
        Phase("handshake (connect to established)");

        foreach (var (from, hub, session, text) in Interleave(aliceHub, aliceSession, bobHub, bobUp.Session))
        {
            hub.Tell(new HubSend(session, Encoding.UTF8.GetBytes(text)));
        }

        await Receive(output, bob, "Bob", AliceSays).ConfigureAwait(false);
        await Receive(output, alice, "Alice", BobSays).ConfigureAwait(false);
        Phase($"messages ({AliceSays.Length} each way)");

        aliceHub.Tell(new HubClose(aliceSession));
        var aliceClosed = await alice.Next<NodeEvent.SessionClosed>().ConfigureAwait(false);
        var bobClosed = await bob.Next<NodeEvent.SessionClosed>().ConfigureAwait(false);
        output.WriteLine($"Alice closed the session ({aliceClosed.Reason}); Bob saw {bobClosed.Reason}.");
        if (bobClosed.Reason != "peer_closed")
        {
            throw new NodeException($"demo: expected Bob to see peer_closed, got {bobClosed.Reason} ({bobClosed.Detail})");
        }

        await aliceNode.DrainConnectionsAsync(StepTimeout).ConfigureAwait(false);
        await bobNode.DrainConnectionsAsync(StepTimeout).ConfigureAwait(false);
        Phase("graceful close (CLOSE_TRANSPORT)");

        output.WriteLine();
        output.WriteLine("Phase                               Time");
        foreach (var (phase, took) in phases)
        {
            output.WriteLine($"{phase,-35} {took.TotalMilliseconds,8:F1} ms");
        }

        output.WriteLine($"{"total",-35} {phases.Sum(p => p.Took.TotalMilliseconds),8:F1} ms");
        output.WriteLine();
        output.WriteLine("Next: `kamune-node identity new`, then `kamune-node run --listen 127.0.0.1:7411` (see README).");
        return ExitCodes.Success;
    }

    private static IEnumerable<(string From, IActorRef Hub, int Session, string Text)> Interleave(
        IActorRef aliceHub, int aliceSession, IActorRef bobHub, int bobSession)
    {
        for (var i = 0; i < AliceSays.Length; i++)
        {
            yield return ("Alice", aliceHub, aliceSession, AliceSays[i]);
            yield return ("Bob", bobHub, bobSession, BobSays[i]);
        }
    }

    private static async Task Receive(TextWriter output, Side side, string who, string[] expected)
    {
        foreach (var text in expected)
        {
            var message = await side.Next<NodeEvent.MessageReceived>().ConfigureAwait(false);
            var got = Encoding.UTF8.GetString(message.Data.Span);
            if (got != text)
            {
                throw new NodeException($"demo: {who} expected \"{text}\", got \"{got}\"");
            }

            output.WriteLine($"  {who} received #{message.Sequence}: {got}");
        }
    }

    private static void PrintIdentity(TextWriter output, string who, PublicIdentity identity)
    {
        output.WriteLine($"{who,-5} fingerprint {identity.Fingerprint.HexColon}");
        output.WriteLine($"      emoji       {identity.Fingerprint.Emoji}");
    }

    /// <summary>One node's events, in order; every wait is bounded.</summary>
    private sealed class Side(string name) : INodeOutput
    {
        private readonly Channel<NodeEvent> _events = Channel.CreateUnbounded<NodeEvent>();

        public void Emit(NodeEvent nodeEvent) => _events.Writer.TryWrite(nodeEvent);

        public async Task<T> Next<T>()
            where T : NodeEvent
        {
            using var timeout = new CancellationTokenSource(StepTimeout);
            try
            {
                while (true)
                {
                    var next = await _events.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                    switch (next)
                    {
                        case T wanted:
                            return wanted;
                        case NodeEvent.Error error:
                            throw new NodeException($"demo: {name}: {error.Message}");
                        case NodeEvent.SessionClosed closed when typeof(T) != typeof(NodeEvent.SessionClosed):
                            throw new NodeException($"demo: {name}'s session closed early: {closed.Reason} ({closed.Detail})");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw new NodeException($"demo: {name} expected {typeof(T).Name} within {StepTimeout.TotalSeconds} s, got nothing");
            }
        }
    }

    /// <summary>Accepts every key, and says so: the demo shows what each side learns of the other during the handshake.</summary>
    private sealed class ShowingVerifier(string who, TextWriter output) : IIdentityVerifier
    {
        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken)
        {
            lock (output)
            {
                output.WriteLine($"  {who} verified the peer's signed introduction: key {peer.Identity.Fingerprint.Emoji}, version {peer.AppVersion}: accepted");
            }

            return Task.FromResult(IdentityVerdict.Accept);
        }
    }
}

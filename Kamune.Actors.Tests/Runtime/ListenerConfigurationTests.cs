using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

/// <summary>
/// A node whose akka.io.tcp settings Akka.IO refuses cannot listen; the caller hears why at once instead of waiting
/// for its Listen to time out.
/// </summary>
public sealed class ListenerConfigurationTests : Akka.TestKit.Xunit2.TestKit
{
    // Akka.IO requires send and receive buffers of at least twice the frame size; 64 KiB frames with the 8 KiB default
    // buffers fail when its TCP extension first starts.
    public ListenerConfigurationTests()
        : base("akka.io.tcp.maximum-frame-size = 64KiB")
    {
    }

    [Fact]
    public void Listen_with_tcp_settings_that_Akka_IO_refuses_answers_BindListenerFailed_with_the_reason()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.Empty);
        var manager = Sys.ActorOf(KamuneManager.Props(settings, EchoSession.Props));

        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));

        var failed = ExpectMsg<BindListenerFailed>(TimeSpan.FromSeconds(5));
        Assert.Contains("SendBufferSize", failed.Reason, StringComparison.Ordinal);
        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(0, ExpectMsg<ManagerState>().Listeners);
        });
    }
}

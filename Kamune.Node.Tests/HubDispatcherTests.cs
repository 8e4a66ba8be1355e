using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 18 item 8: the hub blocks while stdout is full (its back-pressure), so on the node's configuration it runs on
/// a thread of its own (kamune-node.hub-dispatcher, deployed at /user/hub as kamune-node run, demo and bench name it),
/// never on a thread of the pool the default dispatcher and the sessions share.
/// </summary>
public sealed class HubDispatcherTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("hub-dispatcher", NodeConfig.Defaults().Root);

    [Fact]
    public async Task The_hub_writes_its_events_on_a_thread_of_its_own_while_other_actors_run_on_the_pool()
    {
        var output = new ThreadRecordingOutput();
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, output, echo: false, onDial: null), "hub");
        var session = Inbox.Create(_system);
        StandInSessions.Establish(hub, session.Receiver, seed: 11);
        hub.Tell(new MessageReceived(session.Receiver, StandInSessions.SessionId, new byte[] { 1 }, 3, DateTimeOffset.UnixEpoch));
        Assert.IsType<DeliveryAck>(await session.ReceiveAsync(TimeSpan.FromSeconds(10)));

        var other = _system.ActorOf(Props.Create(() => new ThreadReporter()));
        var otherThread = await other.Ask<(bool Pool, int Id)>("which thread", TimeSpan.FromSeconds(10));

        Assert.NotEmpty(output.Threads);
        Assert.All(output.Threads, t => Assert.False(t.Pool, "the hub ran on a thread-pool thread"));
        Assert.Single(output.Threads.Select(t => t.Id).Distinct());
        Assert.True(otherThread.Pool, "expected an ordinary actor on the default dispatcher's pool");
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private sealed class ThreadRecordingOutput : INodeOutput
    {
        private readonly List<(bool Pool, int Id)> _threads = new();

        public IReadOnlyList<(bool Pool, int Id)> Threads
        {
            get
            {
                lock (_threads)
                {
                    return _threads.ToArray();
                }
            }
        }

        public void Emit(NodeEvent nodeEvent)
        {
            lock (_threads)
            {
                _threads.Add((Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId));
            }
        }
    }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter() =>
            ReceiveAny(_ => Sender.Tell((Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId)));
    }
}

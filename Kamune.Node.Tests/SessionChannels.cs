using System.Threading.Channels;
using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>A library user's session handler for tests: every event it hears goes into a channel the test reads.</summary>
internal static class SessionChannels
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static IActorRef Handler(ActorSystem system, Channel<object> events) =>
        system.ActorOf(Props.Create(() => new ChannelHandler(events.Writer)));

    /// <summary>The next item of type <typeparamref name="T"/>, skipping others; fails after <see cref="Patience"/>.</summary>
    public static async Task<T> NextAsync<T, TItem>(ChannelReader<TItem> events)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await events.ReadAsync(timeout.Token) is T wanted)
            {
                return wanted;
            }
        }
    }

    public static Task<T> NextAsync<T>(Channel<object> events) => NextAsync<T, object>(events.Reader);

    private sealed class ChannelHandler : ReceiveActor
    {
        public ChannelHandler(ChannelWriter<object> events) => ReceiveAny(m => events.TryWrite(m));
    }
}

/// <summary>A node output for hub tests: every event goes into a channel the test reads.</summary>
internal sealed class NodeEventChannel(ChannelWriter<NodeEvent> events) : INodeOutput
{
    public void Emit(NodeEvent nodeEvent) => events.TryWrite(nodeEvent);
}

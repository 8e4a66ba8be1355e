using Kamune.Node.Commands;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>The console's start-up dial errors: held until the dials are done, then shown or handed to the one error line.</summary>
public sealed class HeldDialErrorsTests
{
    [Fact]
    public void Dial_errors_wait_while_other_events_go_through_and_release_shows_them_in_order()
    {
        var shown = new Recorder();
        var held = new HeldDialErrors(shown);
        var first = new NodeEvent.Error("cannot connect to a:1: refused", Address: "a:1");
        var other = new NodeEvent.Error("command: bad");
        var second = new NodeEvent.Error("cannot connect to b:1: refused", Address: "b:1");

        held.Emit(first);
        held.Emit(other);
        held.Emit(second);
        Assert.Equal([other], shown.Events);

        held.Release();
        var late = new NodeEvent.Error("cannot connect to c:1: refused", Address: "c:1");
        held.Emit(late);

        Assert.Equal([other, first, second, late], shown.Events);
    }

    [Fact]
    public void Stop_hands_the_held_errors_to_the_caller_and_shows_none_of_them()
    {
        var shown = new Recorder();
        var held = new HeldDialErrors(shown);
        var error = new NodeEvent.Error("cannot connect to a:1: refused", Address: "a:1");
        held.Emit(error);

        Assert.Equal([error], held.Stop());
        Assert.Empty(shown.Events);
    }

    private sealed class Recorder : INodeOutput
    {
        public List<NodeEvent> Events { get; } = new();

        public void Emit(NodeEvent nodeEvent) => Events.Add(nodeEvent);
    }
}

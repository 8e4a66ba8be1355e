using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Runtime;

/// <summary>The rules PeerActor applies, each a plain class, tested without an ActorSystem (issue 19 item 1).</summary>
public sealed class SessionRulesTests
{
    private static InboundMessage Message(ulong sequence) => new(Route.ExchangeMessages, sequence, DateTimeOffset.UnixEpoch, new byte[] { (byte)sequence });

    [Fact]
    public void The_pipeline_asks_for_the_next_read_once_per_arrival_while_it_has_room()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 0);
        Assert.False(pipeline.TakeRead(outboundAllowsRead: true));
        pipeline.Read(3);
        Assert.True(pipeline.TakeRead(outboundAllowsRead: true));
        Assert.False(pipeline.TakeRead(outboundAllowsRead: true));
    }

    [Fact]
    public void The_pipeline_reads_nothing_more_with_Depth_frames_opening_until_they_come_back()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 0);
        pipeline.Read(InboundPipeline.Depth);
        Assert.False(pipeline.TakeRead(outboundAllowsRead: true));
        Assert.True(pipeline.Opened(Message(3)));
        Assert.True(pipeline.TakeRead(outboundAllowsRead: true));
    }

    [Fact]
    public void The_pipeline_reads_nothing_while_the_outbound_budget_holds_reads_back()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 0);
        pipeline.Read(1);
        Assert.False(pipeline.TakeRead(outboundAllowsRead: false));
        Assert.True(pipeline.TakeRead(outboundAllowsRead: true));
    }

    [Fact]
    public void A_handler_behind_on_its_delivery_window_gets_nothing_more_until_it_answers_then_the_held_ones_in_order()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 1);
        pipeline.Read(3);
        Assert.True(pipeline.Opened(Message(3)));
        pipeline.Delivered();
        Assert.True(pipeline.HandlerBehind);
        Assert.False(pipeline.Opened(Message(4)));
        Assert.False(pipeline.Opened(Message(5)));
        Assert.False(pipeline.TakeRead(outboundAllowsRead: true));
        Assert.False(pipeline.TryRelease(out _));

        Assert.True(pipeline.Acknowledged());
        Assert.True(pipeline.TryRelease(out var next));
        Assert.Equal(4UL, next.Sequence);
        pipeline.Delivered();
        Assert.False(pipeline.TryRelease(out _));
        Assert.True(pipeline.Acknowledged());
        Assert.True(pipeline.TryRelease(out next));
        Assert.Equal(5UL, next.Sequence);
    }

    [Fact]
    public void Without_a_delivery_window_an_answer_means_nothing_and_nothing_is_held()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 0);
        pipeline.Read(1);
        Assert.True(pipeline.Opened(Message(3)));
        pipeline.Delivered();
        Assert.False(pipeline.HandlerBehind);
        Assert.False(pipeline.Acknowledged());
    }

    [Fact]
    public void The_end_of_the_connection_waits_for_the_frames_read_before_it()
    {
        var pipeline = new InboundPipeline(deliveryWindow: 0);
        var end = new object();
        Assert.True(pipeline.Ended(end));

        pipeline.Read(2);
        Assert.False(pipeline.Ended(end));
        Assert.True(pipeline.Opened(Message(3)));
        Assert.False(pipeline.TakeEnd(out _));
        Assert.True(pipeline.Opened(Message(4)));
        Assert.True(pipeline.TakeEnd(out var taken));
        Assert.Same(end, taken);
        Assert.False(pipeline.TakeEnd(out _));
    }

    [Fact]
    public void The_budget_counts_every_frame_from_its_seal_until_the_connection_takes_it()
    {
        var budget = new OutboundBudget(capacity: 2);
        budget.Sealing();
        budget.WrittenDirectly();
        Assert.False(budget.HasRoom);
        budget.Sealed(written: true);
        Assert.Equal(2, budget.InFlight);
        budget.Confirmed();
        budget.Confirmed();
        Assert.Equal(0, budget.InFlight);
        Assert.True(budget.HasRoom);

        budget.Sealing();
        budget.Sealed(written: false);
        Assert.Equal(0, budget.InFlight);
    }

    [Fact]
    public void Application_sends_alone_never_stop_reading_but_a_PONG_in_a_full_budget_does()
    {
        var budget = new OutboundBudget(capacity: 2);
        budget.Sealing();
        budget.Sealing();
        Assert.False(budget.HasRoom);
        Assert.True(budget.AllowsRead);

        budget.Sealing(reply: true);
        Assert.False(budget.AllowsRead);
        budget.Sealed(written: true);
        budget.Sealed(written: true);
        budget.Sealed(written: true);
        budget.Confirmed();
        Assert.False(budget.AllowsRead);
        budget.Confirmed();
        Assert.True(budget.AllowsRead);
        budget.Confirmed();
        Assert.Equal(0, budget.InFlight);
    }

    [Fact]
    public void Once_a_send_is_refused_every_later_one_is_refused_until_that_same_send_comes_back_with_room()
    {
        var gate = new SendGate<string>();
        var first = new SendMessage(new byte[] { 1 }, "first");
        var second = new SendMessage(new byte[] { 2 }, "second");
        Assert.True(gate.Admit("app", new SendMessage(new byte[] { 0 }), hasRoom: true));
        Assert.False(gate.Admit("app", first, hasRoom: false));

        // Room is back, but what comes first is not the refused one: it stays refused, so it cannot overtake.
        Assert.False(gate.Admit("app", second, hasRoom: true));
        Assert.Equal(["app"], gate.Reopened());
        Assert.Empty(gate.Reopened());

        // The retry, in a fresh buffer with the same bytes, reopens the gate; then the later one follows.
        Assert.True(gate.Admit("app", new SendMessage(new byte[] { 1 }, "first"), hasRoom: true));
        Assert.True(gate.Admit("app", second, hasRoom: true));
        Assert.Equal(0, gate.Closed);
    }

    [Fact]
    public void A_retry_that_comes_too_early_is_refused_and_its_sender_is_told_again_when_room_is_back()
    {
        var gate = new SendGate<string>();
        var first = new SendMessage(new byte[] { 1 });
        Assert.False(gate.Admit("app", first, hasRoom: false));
        Assert.Equal(["app"], gate.Reopened());
        Assert.False(gate.Admit("app", first, hasRoom: false));
        Assert.Equal(["app"], gate.Reopened());
    }

    [Fact]
    public void One_senders_refusal_does_not_hold_back_another_sender()
    {
        var gate = new SendGate<string>();
        Assert.False(gate.Admit("a", new SendMessage(new byte[] { 1 }), hasRoom: false));
        Assert.True(gate.Admit("b", new SendMessage(new byte[] { 2 }), hasRoom: true));
    }

    [Fact]
    public void The_gate_forgets_the_oldest_refused_sender_beyond_its_bound()
    {
        var gate = new SendGate<int>();
        for (var sender = 0; sender <= SendGate<int>.MaxRefusedSenders; sender++)
        {
            Assert.False(gate.Admit(sender, new SendMessage(new byte[] { 1 }), hasRoom: false));
        }

        Assert.Equal(SendGate<int>.MaxRefusedSenders, gate.Closed);
        Assert.True(gate.Admit(0, new SendMessage(new byte[] { 9 }), hasRoom: true));
    }

    [Fact]
    public void Seals_of_one_burst_go_to_the_cipher_as_one_batch_after_one_marker()
    {
        var batch = new SealBatch();
        Assert.True(batch.Add(new SealMessage(Route.ExchangeMessages, new byte[] { 1 }, null)));
        Assert.False(batch.Add(new SealMessage(Route.ExchangeMessages, new byte[] { 2 }, null)));
        var flushed = Assert.IsType<SealMessages>(batch.OnMarker());
        Assert.Equal(2, flushed.Messages.Count);
        Assert.Null(batch.OnMarker());

        batch.Append(new SealMessage(Route.Pong, new byte[] { 3 }, null));
        Assert.Equal(Route.Pong, Assert.IsType<SealMessage>(batch.Flush()).Route);
        Assert.True(batch.Add(new SealMessage(Route.ExchangeMessages, new byte[] { 4 }, null)));
    }

    [Fact]
    public void Frame_takes_answer_each_frame_in_order_and_a_FrameWritten_after_FrameHeld_takes_no_new_frame()
    {
        var takes = new FrameTakes<string>();
        takes.Told("a");
        takes.Told(null);
        Assert.Equal("a", takes.Held());
        Assert.Null(takes.Held());
        takes.Told("b");
        Assert.True(takes.HasUntakenSends);

        // The writer's FrameWritten for the two held frames: neither takes "b", whose own answer has not come.
        Assert.Null(takes.Written());
        Assert.Null(takes.Written());
        Assert.True(takes.HasUntakenSends);
        Assert.Equal("b", takes.Written());
        Assert.False(takes.HasUntakenSends);
    }

    [Fact]
    public void Frame_takes_give_back_a_dropped_send_and_every_untaken_one_oldest_first()
    {
        var takes = new FrameTakes<string>();
        takes.Told("a");
        takes.Told("b");
        takes.Told(null);
        takes.Told("c");
        Assert.Equal("a", takes.Dropped());
        Assert.Equal(["b", "c"], takes.DropUntaken());
        Assert.False(takes.HasUntakenSends);
        Assert.Null(takes.Written());
    }
}

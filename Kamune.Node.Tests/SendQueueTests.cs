using Kamune.Node.Hosting;

namespace Kamune.Node.Tests;

/// <summary>The commanded sends' rules without an ActorSystem: one in flight per session, order kept, intake bounded.</summary>
public sealed class SendQueueTests
{
    [Fact]
    public void A_session_gets_one_send_at_a_time_in_the_order_commanded_and_the_close_after_them()
    {
        var queue = new SendQueue<string>(maxPerSession: 10, maxSessionBytes: 1000, maxBytes: 1000);
        var first = Outgoing.Message(1, new byte[] { 1 });
        Assert.Same(first, queue.Enqueue("s", first));
        Assert.Null(queue.Enqueue("s", Outgoing.Message(1, new byte[] { 2 })));
        Assert.Null(queue.Enqueue("s", Outgoing.Close(1)));
        Assert.True(queue.IsClosing("s"));

        // A back-pressure refusal keeps the same message in flight; an answer to anything else changes nothing.
        queue.Refused("s");
        Assert.Same(first, queue.InFlight("s"));
        Assert.Null(queue.Done("s", Outgoing.Message(1, new byte[] { 9 })));

        var second = queue.Done("s", first)!;
        Assert.Equal(2, second.Data.Span[0]);
        Assert.Equal(0, queue.Refusals("s"));
        Assert.True(queue.Done("s", second)!.IsClose);
    }

    [Fact]
    public void The_intake_waits_while_a_session_queue_is_full_and_other_sessions_still_have_room()
    {
        var queue = new SendQueue<string>(maxPerSession: 3, maxSessionBytes: 1000, maxBytes: 1000);
        var head = queue.Enqueue("slow", Outgoing.Message(1, new byte[10]))!;
        queue.Enqueue("slow", Outgoing.Message(1, new byte[10]));
        Assert.True(queue.HasRoom("slow"));
        queue.Enqueue("slow", Outgoing.Message(1, new byte[10]));

        Assert.False(queue.HasRoom("slow"));
        Assert.True(queue.HasRoom("other"));
        queue.Done("slow", head);
        Assert.True(queue.HasRoom("slow"));
    }

    [Fact]
    public void The_node_byte_bound_holds_the_intake_for_every_session_with_a_queue()
    {
        var queue = new SendQueue<string>(maxPerSession: 100, maxSessionBytes: 1000, maxBytes: 150);
        queue.Enqueue("a", Outgoing.Message(1, new byte[100]));
        queue.Enqueue("b", Outgoing.Message(2, new byte[60]));

        Assert.Equal(160, queue.Bytes);
        Assert.False(queue.HasRoom("a"));
        Assert.False(queue.HasRoom("b"));
        Assert.True(queue.HasRoom("idle"));
        Assert.Equal(1, queue.Remove("a"));
        Assert.True(queue.HasRoom("b"));
    }

    [Fact]
    public void A_refused_message_is_taken_for_its_retry_once_per_refusal_and_not_after_it_was_answered()
    {
        var queue = new SendQueue<string>(maxPerSession: 10, maxSessionBytes: 1000, maxBytes: 1000);
        var first = queue.Enqueue("s", Outgoing.Message(1, new byte[] { 1 }))!;
        Assert.Null(queue.TakeRetry("s"));

        // SendWindowOpen and the fallback timer both come for one refusal: only the first sends it again.
        queue.Refused("s");
        Assert.Same(first, queue.TakeRetry("s"));
        Assert.Null(queue.TakeRetry("s"));

        // Refused again, then answered while its retry was waiting: nothing is left to retry.
        queue.Refused("s");
        queue.Done("s", first);
        Assert.Null(queue.TakeRetry("s"));
        Assert.Null(queue.TakeRetry("unknown"));
    }

    [Fact]
    public void Only_the_runtime_back_pressure_and_session_end_refusals_are_told_apart_from_faults()
    {
        Assert.True(SendQueue<string>.IsBackPressure(SendRefusalKind.BackPressure));
        Assert.True(SendQueue<string>.IsSessionEnding(SendRefusalKind.Closed));
        Assert.True(SendQueue<string>.IsSessionEnding(SendRefusalKind.Closing));
        Assert.False(SendQueue<string>.IsBackPressure(SendRefusalKind.TooLarge));
        Assert.False(SendQueue<string>.IsSessionEnding(SendRefusalKind.TooLarge));
    }
}

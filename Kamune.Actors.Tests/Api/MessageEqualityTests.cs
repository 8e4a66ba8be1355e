using Akka.Actor;

namespace Kamune.Tests.Api;

// Issue 17 item 6: the messages that carry bytes compare them by content, so ExpectMsg(new MessageReceived(...)) and
// ExpectMsg(new SendMessage(...)) mean what they say, and differ when any byte (or any other field) differs.
public sealed class MessageEqualityTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_MessageReceived_with_the_same_bytes_in_different_buffers_are_equal_and_hash_alike()
    {
        var a = new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 7, At);
        var b = new MessageReceived(TestActor, "s1", new ReadOnlyMemory<byte>("xhello"u8.ToArray(), 1, 5), 7, At);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("hellO", "s1", 7UL)]
    [InlineData("hell", "s1", 7UL)]
    [InlineData("hello", "s2", 7UL)]
    [InlineData("hello", "s1", 8UL)]
    public void MessageReceived_differing_in_a_byte_or_a_field_are_not_equal(string data, string sessionId, ulong sequence)
    {
        var a = new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 7, At);
        var b = new MessageReceived(TestActor, sessionId, System.Text.Encoding.ASCII.GetBytes(data), sequence, At);

        Assert.NotEqual(a, b);
        Assert.True(a != b);
    }

    [Fact]
    public void MessageReceived_from_another_session_actor_or_at_another_time_are_not_equal()
    {
        var a = new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 7, At);

        Assert.NotEqual(a, a with { Session = CreateTestProbe().Ref });
        Assert.NotEqual(a, a with { Timestamp = At.AddSeconds(1) });
    }

    [Fact]
    public void ExpectMsg_of_a_MessageReceived_matches_one_with_the_same_content()
    {
        TestActor.Tell(new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 1, At));
        ExpectMsg(new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 1, At));

        TestActor.Tell(new MessageReceived(TestActor, "s1", "other"u8.ToArray(), 1, At));
        Assert.ThrowsAny<Exception>(() => ExpectMsg(new MessageReceived(TestActor, "s1", "hello"u8.ToArray(), 1, At), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Two_SendMessage_with_the_same_bytes_and_correlation_id_are_equal_and_hash_alike()
    {
        var a = new SendMessage("hello"u8.ToArray(), 42);
        var b = new SendMessage("hello"u8.ToArray(), 42);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new SendMessage(ReadOnlyMemory<byte>.Empty), new SendMessage(Array.Empty<byte>()));
    }

    [Fact]
    public void SendMessage_differing_in_a_byte_or_in_the_correlation_id_are_not_equal()
    {
        var a = new SendMessage("hello"u8.ToArray(), 42);

        Assert.NotEqual(a, new SendMessage("hellO"u8.ToArray(), 42));
        Assert.NotEqual(a, new SendMessage("hello"u8.ToArray(), 43));
        Assert.NotEqual(a, new SendMessage("hello"u8.ToArray()));
    }
}

using Kamune.Node.Cli;
using Kamune.Node.Hosting;

namespace Kamune.Node.Tests;

/// <summary>The hub's rules without an ActorSystem: session numbers, dial correlation and held echoes.</summary>
public sealed class HubBookTests
{
    private static readonly PeerAddress Bob = new("127.0.0.1", 7411);

    [Fact]
    public void Sessions_are_numbered_in_order_and_a_number_is_never_reused()
    {
        var numbers = new SessionNumbers<string, string>();
        Assert.Equal(1, numbers.Add("a", "alice"));
        Assert.Equal(2, numbers.Add("b", "bob"));
        Assert.True(numbers.Remove("a", out var removed));
        Assert.Equal(1, removed);
        Assert.Equal(3, numbers.Add("c", "carol"));
        Assert.False(numbers.TryGet(1, out _, out _));
        Assert.Equal([2, 3], numbers.Live().Select(s => s.Number));
        Assert.Equal("no session 1; live sessions: 2, 3", numbers.Unknown(1));
    }

    [Fact]
    public void Two_dials_to_one_endpoint_each_get_the_session_their_own_answer_names()
    {
        var dials = new DialBook<string, string, string>();
        var first = dials.Start(Bob, "first requester");
        var second = dials.Start(Bob, "second requester");

        // The runtime answers the second request first: its session belongs to the second requester, not the first.
        Assert.True(dials.Connected(second.Id, "session-x", out _));
        Assert.True(dials.Connected(first.Id, "session-y", out _));

        Assert.True(dials.TryClaim("session-x", out var x));
        Assert.True(dials.TryClaim("session-y", out var y));
        Assert.Equal(("second requester", "first requester"), (x.Requester, y.Requester));
        Assert.Equal(0, dials.Count);
    }

    [Fact]
    public void An_established_session_that_overtakes_its_dialing_is_held_until_the_dial_names_it()
    {
        var dials = new DialBook<string, string, string>();
        var dial = dials.Start(Bob, "requester");

        Assert.True(dials.TryHoldEarly("session", "established"));
        Assert.Empty(dials.Orphans());
        Assert.True(dials.Connected(dial.Id, "session", out var early));

        Assert.Equal("established", early);
        Assert.True(dials.TryClaim("session", out var claimed));
        Assert.Equal("requester", claimed.Requester);
    }

    [Fact]
    public void A_dialed_session_no_dial_waits_for_is_an_orphan()
    {
        var dials = new DialBook<string, string, string>();
        Assert.False(dials.TryHoldEarly("stray", "established"));

        var dial = dials.Start(Bob, "requester");
        Assert.True(dials.TryHoldEarly("stray", "established"));
        Assert.True(dials.TryFail(dial.Id, out _));

        Assert.Equal([("stray", "established")], dials.Orphans());
        Assert.False(dials.TryClaim("stray", out _));
    }

    [Fact]
    public void Refused_echoes_wait_in_order_before_the_ones_received_since()
    {
        var echoes = new EchoBook<string>(maxPerSession: 10, maxBytes: 1000);
        var first = echoes.Received("s", new byte[] { 1 }, out _)!;
        var second = echoes.Received("s", new byte[] { 2 }, out _)!;

        Assert.True(echoes.Refused("s", first, out _));
        Assert.Null(echoes.Received("s", new byte[] { 3 }, out _));
        Assert.True(echoes.Refused("s", second, out _));

        var order = new List<byte>();
        // Offered again one at a time: a second retry while the first is out offers nothing.
        var head = echoes.Retry("s");
        Assert.Null(echoes.Retry("s"));
        for (var echo = head; echo is not null; echo = echoes.Accepted("s", echo))
        {
            order.Add(echo.Data.Span[0]);
        }

        Assert.Equal([1, 2, 3], order);
        Assert.Equal(0, echoes.Bytes);
    }

    [Fact]
    public void Held_echo_bytes_stay_within_the_node_bound_across_sessions()
    {
        var echoes = new EchoBook<string>(maxPerSession: 100, maxBytes: 250);
        Assert.True(echoes.Refused("a", echoes.Received("a", new byte[100], out _)!, out _));
        Assert.Null(echoes.Received("a", new byte[100], out var kept));
        Assert.Null(echoes.Received("a", new byte[100], out var dropped));
        Assert.Equal((null, true), (kept, dropped?.First));

        // The node holds 200 of its 250 bytes: another session's refused echo finds no room and is dropped.
        Assert.False(echoes.Refused("b", echoes.Received("b", new byte[100], out _)!, out var droppedAtB));
        Assert.NotNull(droppedAtB);
        Assert.Equal(200, echoes.Bytes);
        Assert.True(echoes.Remove("a"));
        Assert.Equal(0, echoes.Bytes);
    }
}

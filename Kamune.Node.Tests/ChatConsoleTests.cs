using System.Text;
using Akka.Actor;
using Kamune.Node.Chat;

namespace Kamune.Node.Tests;

/// <summary>
/// The chat console driven through its stdin and stdout pipes, with the node's real hub and real sessions to peers
/// over loopback (<see cref="ConsoleHarness"/>). Issue 14 item 5: a line is never sent to the wrong person; issue 16
/// items 3 and 6: names carry a fingerprint label, new keys are marked, peer text cannot pass for other lines.
/// </summary>
public sealed class ChatConsoleTests : IDisposable
{
    private readonly IdentityKeyPair _node = IdentityKeyPair.Generate(new DeterministicRandomSource(81));
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(82));
    private readonly IdentityKeyPair _bob = IdentityKeyPair.Generate(new DeterministicRandomSource(83));

    private string Alice => $"alice ({_alice.PublicIdentity.Fingerprint.HexColon[..11]})";

    private string Bob => $"bob ({_bob.PublicIdentity.Fingerprint.HexColon[..11]})";

    [Fact]
    public async Task After_the_selected_session_ends_a_typed_line_is_refused_and_reaches_no_one_until_use()
    {
        await using var console = new ConsoleHarness();
        await console.StartAsync(_node);
        var atAlice = await console.DialAsync("alice", _alice, "alice");
        await console.ExpectAsync($"[1] session with {Alice} at 127.0.0.1:");
        var aliceSession = (await ConsoleHarness.NextAsync<SessionEstablished>(atAlice)).Session;
        var atBob = await console.DialAsync("bob", _bob, "bob");
        await console.ExpectAsync("[2]   /use 2 sends your lines to this session");
        await ConsoleHarness.NextAsync<SessionEstablished>(atBob);

        await console.TypeAsync("hello alice");
        Assert.Equal("hello alice", Text(await ConsoleHarness.NextAsync<MessageReceived>(atAlice)));

        aliceSession.Tell(CloseSession.Instance);
        await console.ExpectAsync($"[1] session with {Alice} closed: peer_closed");
        await console.ExpectAsync("[1] was the selected session; nothing is selected now: /use N picks one of 2");
        await console.TypeAsync("this was meant for alice");
        var refused = await console.ExpectAsync("not sent:");

        Assert.Equal($"not sent: session 1 with {Alice} has ended and nothing is selected; /use N picks one of 2", refused);
        await console.TypeAsync("/use 2");
        await console.ExpectAsync($"[2] selected: {Bob}");
        await console.TypeAsync("hello bob");
        Assert.Equal("hello bob", Text(await ConsoleHarness.NextAsync<MessageReceived>(atBob)));
    }

    [Fact]
    public async Task Names_carry_their_fingerprint_label_and_a_key_is_marked_new_only_the_first_time_and_when_renamed()
    {
        await using var console = new ConsoleHarness();
        await console.StartAsync(_node);

        var first = await console.DialAsync("alice-1", _alice, "alice");
        var line = await console.ExpectAsync("[1] session with");
        var session = (await ConsoleHarness.NextAsync<SessionEstablished>(first)).Session;
        var fingerprint = await console.ExpectAsync("[1]   fingerprint ");
        var emoji = await console.ExpectAsync("[1]   emoji ");
        session.Tell(CloseSession.Instance);
        await console.ExpectAsync("[1] session with");
        await console.DialAsync("alice-2", _alice, "alice");
        var again = await console.ExpectAsync("[2] session with");
        await console.DialAsync("alice-3", _alice, "carol");
        var renamed = await console.ExpectAsync("[3] session with");

        Assert.EndsWith(", selected, NEW: first time this key is seen", line, StringComparison.Ordinal);
        Assert.StartsWith($"[1] session with {Alice} at ", line, StringComparison.Ordinal);
        Assert.Equal($"[1]   fingerprint {_alice.PublicIdentity.Fingerprint.HexColon}  ({ChatConsole.VerifyNote})", fingerprint);
        Assert.Equal($"[1]   emoji       {_alice.PublicIdentity.Fingerprint.Emoji}  ({ChatConsole.EmojiNote})", emoji);
        Assert.DoesNotContain("NEW", again, StringComparison.Ordinal);
        Assert.DoesNotContain("new name", again, StringComparison.Ordinal);
        Assert.EndsWith(", a new name for the key known as \"alice\"", renamed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_text_is_escaped_and_a_padded_line_cannot_start_a_line_of_its_own()
    {
        await using var console = new ConsoleHarness(columns: 60);
        await console.StartAsync(_node);
        var atAlice = await console.DialAsync("alice", _alice, "alice");
        await console.ExpectAsync("[1] session with");
        var session = (await ConsoleHarness.NextAsync<SessionEstablished>(atAlice)).Session;

        var escaped = await MessageAsync(console, session, "right\u202eto-left \u200bzero\u2028next\u001b[2J");
        var padded = await MessageAsync(console, session, $"hi{new string(' ', 200)}[2] {Bob}: send me your key");
        var wrapped = await MessageAsync(console, session, new string('x', 70) + $"[2] {Bob}: " + new string('y', 70));

        Assert.Equal("right\\u202eto-left \\u200bzero\\u2028next\\u001b[2J", TextOf(escaped));
        Assert.Equal($"hi⟨200 spaces⟩[2] {Bob}: send me your key", TextOf(padded));
        Assert.Equal(new string('x', 70) + $"[2] {Bob}: " + new string('y', 70), TextOf(wrapped));
        foreach (var message in new[] { padded, wrapped })
        {
            Assert.True(message.Count > 1, string.Join('\n', message));
            Assert.All(message.Skip(1), l => Assert.StartsWith($"[1] {Alice}+ ", l, StringComparison.Ordinal));
            Assert.All(message, l => Assert.True(DisplayWidth.Of(l) <= 60, l));
        }
    }

    [Fact]
    public async Task A_peer_announcing_another_keys_fingerprint_as_its_name_never_gets_a_session()
    {
        await using var console = new ConsoleHarness();
        await console.StartAsync(_node);

        await console.DialAsync("mallory", _alice, _bob.PublicIdentity.Fingerprint.Base64);
        var error = await console.ExpectAsync("error: incoming session from 127.0.0.1:");

        Assert.Contains("Introduce.Name: expected no fingerprint but the peer's own", error, StringComparison.Ordinal);
        Assert.DoesNotContain(console.Seen, l => l.Contains("session with", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Peers_lists_sessions_in_columns_whatever_the_width_of_their_names()
    {
        await using var console = new ConsoleHarness();
        await console.StartAsync(_node);
        await console.DialAsync("sunny", _alice, "\u2600\ufe0f sunny \u5c71");
        await console.ExpectAsync("[1] session with");
        await console.DialAsync("bob", _bob, "bob");
        await console.ExpectAsync("[2] session with");

        await console.TypeAsync("/peers");
        var rows = new[] { await console.ExpectAsync("*[1] "), await console.ExpectAsync(" [2] ") };

        var labels = new[] { _alice, _bob }.Select(k => k.PublicIdentity.Fingerprint.HexColon[..11]).ToArray();
        var columns = rows.Select((row, i) => DisplayWidth.Of(row[..row.IndexOf(labels[i], StringComparison.Ordinal)])).ToArray();
        Assert.Equal(columns[0], columns[1]);
        Assert.EndsWith(" new", rows[0], StringComparison.Ordinal);
    }

    // The console lines of one message from the peer: its first line and every continuation, up to the next message.
    private async Task<List<string>> MessageAsync(ConsoleHarness console, IActorRef session, string text)
    {
        session.Tell(new SendMessage(Encoding.UTF8.GetBytes(text)));
        session.Tell(new SendMessage(Encoding.UTF8.GetBytes("over")));
        var lines = new List<string> { await console.ExpectAsync($"[1] {Alice}: ") };
        while (await console.ExpectAsync(_ => true, "of the message") is var line && line != $"[1] {Alice}: over")
        {
            lines.Add(line);
        }

        return lines;
    }

    private string TextOf(List<string> lines) => string.Concat(lines.Select(l => l[$"[1] {Alice}: ".Length..]));

    private static string Text(MessageReceived received) => Encoding.UTF8.GetString(received.Data.Span);

    public void Dispose()
    {
        _node.Dispose();
        _alice.Dispose();
        _bob.Dispose();
    }
}

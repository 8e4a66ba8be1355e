using System.Text;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;
using Kamune.Node.Trust;

namespace Kamune.Node.Chat;

/// <summary>
/// The interactive node: typed lines go to the selected session, slash commands manage sessions, and every
/// event is printed as it happens. The first session to come up is selected; /use switches. Once the selected
/// session ends nothing is selected until /use: a line typed for the peer who left must not reach someone else.
/// Every line about a peer carries its fingerprint label beside its name (<see cref="ConsoleText"/>).
/// </summary>
internal sealed class ChatConsole : INodeOutput
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private readonly OutputLines _out;
    private readonly bool _echo;
    private readonly Func<int> _columns;
    private readonly object _gate = new();
    private readonly Dictionary<int, PeerInfo> _peers = new();
    private readonly Dictionary<string, string> _met = new(StringComparer.Ordinal);
    private readonly HashSet<int> _firstMeetings = new();
    private KnownPeers? _knownPeers;
    private int? _selected;
    private bool _everSelected;
    private (int Number, string Label)? _ended;

    /// <param name="columns">The terminal's width in cells, asked before each message (it may be resized).</param>
    public ChatConsole(OutputLines output, bool echo, Func<int>? columns = null)
    {
        _out = output;
        _echo = echo;
        _columns = columns ?? TerminalColumns;
    }

    public const string Help =
        "Type a line to send it to the selected session. Commands:\n" +
        "  /peers            list sessions (* marks the selected one)\n" +
        "  /use N            send typed lines to session N\n" +
        "  /dial HOST:PORT   open a session to another node\n" +
        "  /close [N]        close session N (default: the selected one)\n" +
        "  /quit             close every session and exit (also Ctrl+C, Ctrl+D)\n" +
        "  /help             this text\n" +
        "When the selected session ends, nothing is selected until /use N.";

    public const string VerifyNote = "verify: compare it whole with the peer's `kamune-node identity show`";

    public const string EmojiNote = "a quick check only, about 53 bits: not a verification";

    /// <param name="name">kamune.name (--name); empty: the fingerprint is the name peers see.</param>
    public void Introduce(PublicIdentity identity, string name, TrustMode trust, KnownPeers? knownPeers)
    {
        _knownPeers = knownPeers;
        Line(name.Length == 0 ? $"kamune-node {identity.DefaultName}" : $"kamune-node {ConsoleText.Clean(name)} ({identity.DefaultName})");
        Line($"  fingerprint {identity.Fingerprint.HexColon}");
        Line($"  emoji       {DisplayWidth.EmojiColumns(identity.Fingerprint)}  ({EmojiNote})");
        Line(trust switch
        {
            TrustMode.Tofu => $"  trust       tofu ({knownPeers?.Count ?? 0} pins in {knownPeers?.Path})",
            TrustMode.AllowList => "  trust       allow-list",
            _ => "  trust       any key (no verification of who peers are)",
        });
        if (_echo)
        {
            Line("  echo mode: received messages are sent back, not shown");
        }

        Line("Type /help for commands.");
    }

    public void Emit(NodeEvent nodeEvent)
    {
        switch (nodeEvent)
        {
            case NodeEvent.Listening e:
                Line($"listening on {e.Address}");
                break;
            case NodeEvent.SessionEstablished e:
                OnEstablished(e);
                break;
            case NodeEvent.MessageReceived e when !_echo:
                var label = LabelOf(e.Session);
                foreach (var line in ConsoleText.Wrap($"[{e.Session}] {label}: ", $"[{e.Session}] {label}+ ", Text(e.Data.Span), _columns()))
                {
                    Line(line);
                }

                break;
            case NodeEvent.MessageReceived:
            case NodeEvent.Sent:
                break;
            case NodeEvent.SessionClosed e:
                OnClosed(e);
                break;
            case NodeEvent.Error e:
                Line(e.Session is { } s ? $"[{s}] error: {ConsoleText.Clean(e.Message)}" : $"error: {ConsoleText.Clean(e.Message)}");
                break;
        }
    }

    private void OnEstablished(NodeEvent.SessionEstablished e)
    {
        bool selected, first;
        string? knownAs;
        lock (_gate)
        {
            _peers[e.Session] = e.Peer;
            first = _met.TryAdd(e.Peer.Fingerprint, e.Peer.Name) && !(_knownPeers?.KnewBefore(e.Peer.Fingerprint) ?? false);

            // A key met before under another name: the name it is known by says more than the one it announces now.
            knownAs = _knownPeers?.PinnedName(e.Peer.Fingerprint) ?? _met[e.Peer.Fingerprint];
            knownAs = string.Equals(knownAs, e.Peer.Name, StringComparison.Ordinal) ? null : knownAs;
            if (first)
            {
                _firstMeetings.Add(e.Session);
            }

            if (!_everSelected)
            {
                _selected = e.Session;
                _everSelected = true;
            }

            selected = _selected == e.Session;
        }

        var marks = (selected ? ", selected" : string.Empty) + (first ? ", NEW: first time this key is seen" : string.Empty)
            + (knownAs is null ? string.Empty : $", a new name for the key known as \"{ConsoleText.Clean(knownAs)}\"");
        Line($"[{e.Session}] session with {ConsoleText.Label(e.Peer)} at {e.Peer.Address} ({e.Role}){marks}");
        Line($"[{e.Session}]   fingerprint {e.Peer.Identity.Fingerprint.HexColon}  ({VerifyNote})");
        Line($"[{e.Session}]   emoji       {DisplayWidth.EmojiColumns(e.Peer.Identity.Fingerprint)}  ({EmojiNote})");
        if (!selected)
        {
            Line($"[{e.Session}]   /use {e.Session} sends your lines to this session");
        }
    }

    private void OnClosed(NodeEvent.SessionClosed e)
    {
        bool wasSelected;
        string label;
        string live;
        lock (_gate)
        {
            label = _peers.Remove(e.Session, out var peer) ? ConsoleText.Label(peer) : "peer";
            _firstMeetings.Remove(e.Session);
            wasSelected = _selected == e.Session;
            if (wasSelected)
            {
                _selected = null;
                _ended = (e.Session, label);
            }

            live = LiveList();
        }

        Line($"[{e.Session}] session with {label} closed: {e.Reason}{(e.Detail.Length > 0 ? $" ({ConsoleText.Clean(e.Detail)})" : string.Empty)}");
        if (wasSelected)
        {
            Line(live.Length == 0
                ? $"[{e.Session}] was the selected session; nothing is selected now"
                : $"[{e.Session}] was the selected session; nothing is selected now: /use N picks one of {live}");
        }
    }

    /// <summary>Reads the user's lines until /quit, end of input or a signal.</summary>
    public async Task RunAsync(InputLines input, IActorRef hub, CancellationToken cancellation)
    {
        while (await input.ReadAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            if (!await HandleAsync(line.TrimEnd(), hub, cancellation).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> HandleAsync(string line, IActorRef hub, CancellationToken cancellation)
    {
        if (line.Length == 0)
        {
            return true;
        }

        if (!line.StartsWith('/'))
        {
            return await SendTypedAsync(line, hub, cancellation).ConfigureAwait(false);
        }

        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        switch (parts[0])
        {
            case "/quit" or "/exit":
                return false;
            case "/help":
                Line(Help);
                break;
            case "/peers":
                await ListAsync(hub).ConfigureAwait(false);
                break;
            case "/use":
                Use(argument);
                break;
            case "/dial":
                if (PeerAddress.TryParse(argument, allowPortZero: false, out var address, out var error))
                {
                    Line($"dialing {address}...");
                    hub.Tell(new HubDial(address!));
                }
                else
                {
                    Line($"/dial: {error}");
                }

                break;
            case "/close":
                int? closing;
                lock (_gate)
                {
                    closing = argument is null ? _selected : TryNumber(argument, out var n) ? n : null;
                }

                if (closing is { } c)
                {
                    hub.Tell(new HubClose(c));
                }
                else
                {
                    Line($"/close: expected a session number (see /peers), got \"{argument ?? "nothing, and no session is selected"}\"");
                }

                break;
            default:
                Line($"unknown command {parts[0]}; /help lists them");
                break;
        }

        return true;
    }

    // Session numbers are never reused, so a line told to session N can only ever reach the peer of session N.
    // False once the node is stopping (the wait for room in the session's queue was cancelled).
    private async Task<bool> SendTypedAsync(string line, IActorRef hub, CancellationToken cancellation)
    {
        int? target;
        string refusal;
        lock (_gate)
        {
            target = _selected;
            var live = LiveList();
            refusal = _ended is { } ended
                ? $"not sent: session {ended.Number} with {ended.Label} has ended and nothing is selected; "
                  + (live.Length == 0 ? "no session is left" : $"/use N picks one of {live}")
                : live.Length == 0
                    ? "not sent: no session yet: /dial HOST:PORT, or wait for a peer to connect"
                    : $"not sent: no session is selected; /use N picks one of {live}";
        }

        if (target is { } session)
        {
            // Waits while the session's queue is full, so typed lines are never refused for back-pressure.
            return await HubIntake.SendAsync(hub, session, Encoding.UTF8.GetBytes(line), cancellation).ConfigureAwait(false);
        }

        Line(refusal);
        return true;
    }

    private void Use(string? argument)
    {
        if (TryNumber(argument, out var number) && IsLive(number))
        {
            lock (_gate)
            {
                _selected = number;
                _ended = null;
            }

            Line($"[{number}] selected: {LabelOf(number)}");
        }
        else
        {
            Line($"/use: expected the number of a live session (see /peers), got \"{argument}\"");
        }
    }

    // One row per session, the columns lined up by display width (names may hold emoji or wide characters).
    private async Task ListAsync(IActorRef hub)
    {
        var sessions = await hub.Ask<HubSessions>(HubListSessions.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (sessions.Sessions.Count == 0)
        {
            Line("no sessions");
            return;
        }

        var nameCells = Math.Min(24, sessions.Sessions.Max(s => DisplayWidth.Of(ConsoleText.NameOf(s.Peer))));
        foreach (var s in sessions.Sessions)
        {
            bool selected, first;
            lock (_gate)
            {
                selected = s.Number == _selected;
                first = _firstMeetings.Contains(s.Number);
            }

            var row = $"{(selected ? "*" : " ")}[{s.Number}] {DisplayWidth.Fit(ConsoleText.NameOf(s.Peer), nameCells)} {ConsoleText.ShortFingerprint(s.Peer.Identity)} "
                + $"{s.Peer.Address} {s.Role.ToString().ToLowerInvariant()}{(first ? " new" : string.Empty)}";
            Line(row);
        }
    }

    private bool IsLive(int number)
    {
        lock (_gate)
        {
            return _peers.ContainsKey(number);
        }
    }

    private string LabelOf(int session)
    {
        lock (_gate)
        {
            return _peers.TryGetValue(session, out var peer) ? ConsoleText.Label(peer) : "peer";
        }
    }

    // Under _gate.
    private string LiveList() => string.Join(", ", _peers.Keys.Order());

    private static bool TryNumber(string? text, out int number) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);

    /// <summary>Valid UTF-8 is shown as text (cleaned: <see cref="ConsoleText.Clean"/>); anything else as a byte count and hex.</summary>
    internal static string Text(ReadOnlySpan<byte> data)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(data);
        }
        catch (DecoderFallbackException)
        {
            var hex = Convert.ToHexStringLower(data.Length > 32 ? data[..32] : data);
            return $"<{data.Length} bytes, not UTF-8: {hex}{(data.Length > 32 ? "..." : string.Empty)}>";
        }

        return ConsoleText.Clean(text);
    }

    // A terminal's width where stdout is one; 80 where it is a file or a pipe (a reader may still view it in one).
    private static int TerminalColumns()
    {
        try
        {
            return !Console.IsOutputRedirected && Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    private void Line(string text) => _out.Write(Encoding.UTF8.GetBytes(text));
}

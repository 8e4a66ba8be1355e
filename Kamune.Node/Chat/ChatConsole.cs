using System.Text;
using Akka.Actor;
using Kamune.Identity;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;
using Kamune.Node.Trust;

namespace Kamune.Node.Chat;

/// <summary>
/// The interactive node: typed lines go to the selected session, slash commands manage sessions, and every
/// event is printed as it happens. The first session to come up is selected; /use switches.
/// </summary>
internal sealed class ChatConsole : INodeOutput
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private readonly OutputLines _out;
    private readonly bool _echo;
    private readonly object _gate = new();
    private readonly Dictionary<int, PeerInfo> _peers = new();
    private int? _selected;

    public ChatConsole(OutputLines output, bool echo)
    {
        _out = output;
        _echo = echo;
    }

    public const string Help =
        "Type a line to send it to the selected session. Commands:\n" +
        "  /peers            list sessions (* marks the selected one)\n" +
        "  /use N            send typed lines to session N\n" +
        "  /dial HOST:PORT   open a session to another node\n" +
        "  /close [N]        close session N (default: the selected one)\n" +
        "  /quit             close every session and exit (also Ctrl+C, Ctrl+D)\n" +
        "  /help             this text";

    /// <param name="name">kamune.name (--name); empty: the fingerprint is the name peers see.</param>
    public void Introduce(PublicIdentity identity, string name, TrustMode trust, KnownPeers? knownPeers)
    {
        Line(name.Length == 0 ? $"kamune-node {identity.DefaultName}" : $"kamune-node {Clean(name)} ({identity.DefaultName})");
        Line($"  fingerprint {identity.Fingerprint.HexColon}");
        Line($"  emoji       {identity.Fingerprint.Emoji}");
        Line(trust switch
        {
            TrustMode.Tofu => $"  trust       tofu ({knownPeers?.Count ?? 0} entries in {knownPeers?.Path})",
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
                lock (_gate)
                {
                    _peers[e.Session] = e.Peer;
                    _selected ??= e.Session;
                }

                Line($"[{e.Session}] session with {Clean(e.Peer.Name)} at {e.Peer.Address} ({e.Role}){(_selected == e.Session ? ", selected" : string.Empty)}");
                Line($"[{e.Session}]   fingerprint {e.Peer.Identity.Fingerprint.HexColon}");
                Line($"[{e.Session}]   emoji       {e.Peer.Identity.Fingerprint.Emoji}  (compare with the peer's `kamune-node identity show`)");
                break;
            case NodeEvent.MessageReceived e when !_echo:
                Line($"[{e.Session}] {NameOf(e.Session)}: {Text(e.Data.Span)}");
                break;
            case NodeEvent.MessageReceived:
            case NodeEvent.Sent:
                break;
            case NodeEvent.SessionClosed e:
                lock (_gate)
                {
                    _peers.Remove(e.Session);
                    if (_selected == e.Session)
                    {
                        _selected = _peers.Count == 0 ? null : _peers.Keys.Min();
                    }
                }

                Line($"[{e.Session}] session closed: {e.Reason}{(e.Detail.Length > 0 ? $" ({e.Detail})" : string.Empty)}");
                break;
            case NodeEvent.Error e:
                Line(e.Session is { } s ? $"[{s}] error: {e.Message}" : $"error: {e.Message}");
                break;
        }
    }

    /// <summary>Reads the user's lines until /quit, end of input or a signal.</summary>
    public async Task RunAsync(InputLines input, IActorRef hub, CancellationToken cancellation)
    {
        while (await input.ReadAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            if (!await HandleAsync(line.TrimEnd(), hub).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> HandleAsync(string line, IActorRef hub)
    {
        if (line.Length == 0)
        {
            return true;
        }

        if (!line.StartsWith('/'))
        {
            int? target;
            lock (_gate)
            {
                target = _selected;
            }

            if (target is { } session)
            {
                hub.Tell(new HubSend(session, Encoding.UTF8.GetBytes(line)));
            }
            else
            {
                Line("no session yet: /dial HOST:PORT, or wait for a peer to connect");
            }

            return true;
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
                var sessions = await hub.Ask<HubSessions>(HubListSessions.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                if (sessions.Sessions.Count == 0)
                {
                    Line("no sessions");
                }

                foreach (var s in sessions.Sessions)
                {
                    var mark = s.Number == _selected ? "*" : " ";
                    Line($"{mark}[{s.Number}] {Clean(s.Peer.Name)} at {s.Peer.Address} ({s.Role.ToString().ToLowerInvariant()}) {s.Peer.Fingerprint}");
                }

                break;
            case "/use":
                if (TryNumber(argument, out var number) && IsLive(number))
                {
                    lock (_gate)
                    {
                        _selected = number;
                    }

                    Line($"[{number}] selected: {NameOf(number)}");
                }
                else
                {
                    Line($"/use: expected the number of a live session (see /peers), got \"{argument}\"");
                }

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

    private bool IsLive(int number)
    {
        lock (_gate)
        {
            return _peers.ContainsKey(number);
        }
    }

    private string NameOf(int session)
    {
        lock (_gate)
        {
            return _peers.TryGetValue(session, out var peer) ? Clean(peer.Name) : "peer";
        }
    }

    private static bool TryNumber(string? text, out int number) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);

    /// <summary>Valid UTF-8 is shown as text (control characters escaped); anything else as a byte count and hex.</summary>
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

        return Clean(text);
    }

    /// <summary>Peer-supplied text with control characters escaped: a peer must not move the reader's cursor or clear the screen.</summary>
    internal static string Clean(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }

        return builder.ToString();
    }

    private void Line(string text) => _out.Write(Encoding.UTF8.GetBytes(text));
}

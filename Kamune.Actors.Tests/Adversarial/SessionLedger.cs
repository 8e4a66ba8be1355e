using System.Net;
using Akka.Actor;

namespace Kamune.Tests.Adversarial;

/// <summary>Ask a <see cref="SessionLedger"/> for its counts.</summary>
internal sealed class GetLedger
{
    public static readonly GetLedger Instance = new();

    private GetLedger()
    {
    }
}

/// <summary>How many sessions a node's handler saw established, and how each one ended, by remote address.</summary>
internal sealed record Ledger(int Established, IReadOnlyDictionary<(IPAddress Address, CloseReason Reason, KamuneError? Error), int> Closed)
{
    public int ClosedFrom(Func<IPAddress, bool> addresses) => Closed.Where(c => addresses(c.Key.Address)).Sum(c => c.Value);

    public string Describe(Func<IPAddress, bool> addresses) => string.Join(", ", Closed
        .Where(c => addresses(c.Key.Address))
        .GroupBy(c => (c.Key.Reason, c.Key.Error))
        .Select(g => $"{g.Key.Reason}/{g.Key.Error}: {g.Sum(c => c.Value)}"));
}

/// <summary>A handler for a node under hostile load: it only counts, so thousands of sessions cost it nothing.</summary>
internal sealed class SessionLedger : ReceiveActor
{
    private readonly Dictionary<(IPAddress, CloseReason, KamuneError?), int> _closed = new();
    private int _established;

    public SessionLedger()
    {
        Receive<SessionEstablished>(_ => _established++);
        Receive<SessionClosed>(closed =>
        {
            var address = closed.RemoteAddress is IPEndPoint ip ? ip.Address.MapToIPv4() : IPAddress.None;
            var key = (address, closed.Reason, closed.Error);
            _closed[key] = _closed.GetValueOrDefault(key) + 1;
        });
        Receive<GetLedger>(_ => Sender.Tell(new Ledger(_established, new Dictionary<(IPAddress, CloseReason, KamuneError?), int>(_closed))));
        ReceiveAny(_ => { });
    }
}

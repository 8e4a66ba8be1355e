using System.Security.Cryptography;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Keeps each sender's stream in order across back-pressure refusals, with no actor in it (PeerActor applies it).
/// Without it a later <see cref="SendMessage"/> could be accepted after an earlier one was refused, and the obvious retry of
/// the refused one would then overtake nothing but arrive after it: reordered (issue 17 item 1). The rule: once a
/// sender's send is refused for back-pressure, every later send of that sender is refused too, until that same send
/// (same CorrelationId, same bytes: a fresh buffer with the same content counts) comes again while there is room. The retry is what reopens the gate, so sends that
/// were already on their way when the refusal was told are refused as well, and a sender that retries its refused
/// sends in order, oldest first, never reorders its stream. Once room is back the session tells each such sender
/// <see cref="SendWindowOpen"/>, once per refusal.
/// </summary>
/// <typeparam name="TSender">Who sent: the actor reference, in PeerActor.</typeparam>
internal sealed class SendGate<TSender>
    where TSender : notnull
{
    /// <summary>
    /// Senders remembered at most. An Ask is a new sender each time, so a refused Ask is never retried by the same
    /// sender: beyond this many the oldest is forgotten (its later sends are judged afresh).
    /// </summary>
    public const int MaxRefusedSenders = 64;

    private readonly Dictionary<TSender, Refused> _refused = new();
    private readonly Queue<TSender> _order = new();

    /// <summary>Senders whose gate is closed.</summary>
    public int Closed => _refused.Count;

    /// <summary>
    /// Whether <paramref name="send"/> from <paramref name="sender"/> may be accepted, given whether the session has
    /// room for it now. False: refuse it (back-pressure); the gate of that sender is closed from then on.
    /// </summary>
    public bool Admit(TSender sender, SendMessage send, bool hasRoom)
    {
        if (_refused.TryGetValue(sender, out var refused))
        {
            if (!refused.Matches(send))
            {
                return false;
            }

            if (!hasRoom)
            {
                // The retry came too early: it is told again once room is back.
                refused.Told = false;
                return false;
            }

            // The first refused send came back, with room for it: the sender resumes its stream here, in order.
            _refused.Remove(sender);
            if (_refused.Count == 0)
            {
                _order.Clear();
            }

            return true;
        }

        if (hasRoom)
        {
            return true;
        }

        Close(sender, send);
        return false;
    }

    /// <summary>Room is back: the senders to tell <see cref="SendWindowOpen"/>, each once per refusal.</summary>
    public List<TSender> Reopened()
    {
        var reopened = new List<TSender>();
        foreach (var (sender, refused) in _refused)
        {
            if (!refused.Told)
            {
                refused.Told = true;
                reopened.Add(sender);
            }
        }

        return reopened;
    }

    private void Close(TSender sender, SendMessage send)
    {
        if (_order.Count >= 2 * MaxRefusedSenders)
        {
            // Senders that reopened leave stale entries behind: keep only those still refused, oldest first.
            var still = _order.Where(_refused.ContainsKey).Distinct().ToList();
            _order.Clear();
            still.ForEach(_order.Enqueue);
        }

        while (_refused.Count >= MaxRefusedSenders && _order.TryDequeue(out var oldest))
        {
            _refused.Remove(oldest);
        }

        _refused[sender] = new Refused(send);
        _order.Enqueue(sender);
    }

    // The caller may reuse its buffer once Tell returns, so the refused send is kept as its length and digest, not its
    // bytes: 32 bytes per refused sender instead of up to 61,435.
    private sealed class Refused(SendMessage first)
    {
        private readonly object? _correlationId = first.CorrelationId;
        private readonly int _length = first.Data.Length;
        private readonly byte[] _digest = SHA256.HashData(first.Data.Span);

        public bool Told { get; set; }

        public bool Matches(SendMessage send)
        {
            if (send.Data.Length != _length || !Equals(send.CorrelationId, _correlationId))
            {
                return false;
            }

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(send.Data.Span, digest);
            return digest.SequenceEqual(_digest);
        }
    }
}

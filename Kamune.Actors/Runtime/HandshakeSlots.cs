using System.Net;

namespace Kamune.Actors.Runtime;

/// <summary>
/// kamune.max-concurrent-handshakes as a table of the accepted connections whose session is not established yet,
/// shared out fairly between remote addresses. While a slot is free every connection gets one. When all are taken
/// the newcomer's address is weighed against the others (counting the newcomer):
/// - it would hold more than any other, or as many as the heaviest when that is more than one: the newcomer is
///   refused, closed at once before it costs a session (<see cref="Admission.Refused"/>);
/// - otherwise the oldest unfinished handshake of the address holding the most slots makes room for it (ties: the
///   oldest such connection), as a SYN cache does (<see cref="Admission.Eviction"/>).
/// An address that floods the table therefore only ever loses its own connections, mostly by cheap refusals, while a
/// peer from an address holding fewer slots is admitted, however many connections arrive; and when every address
/// holds a single slot (a flood from many addresses, one connection each) the oldest makes room, so a newcomer still
/// gets in. A slot is given back the moment its connection is established or its session ends (<see cref="Release"/>).
/// Plain rules, no actor types: the manager holds one and applies its verdicts.
/// </summary>
internal sealed class HandshakeSlots<T>
    where T : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<T, LinkedListNode<Holder>> _holders = new();
    private readonly Dictionary<IPAddress, LinkedList<Holder>> _byAddress = new();
    private long _admitted;

    /// <param name="capacity">Slots; 0 means no limit (connections are still tracked, never evicted).</param>
    public HandshakeSlots(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    /// <summary>Connections holding a slot now.</summary>
    public int Count => _holders.Count;

    /// <summary>
    /// Judges a newcomer from <paramref name="address"/>: when it is admitted (in place of an evicted connection or
    /// not), <paramref name="start"/> makes the connection, which then holds a slot; a refused newcomer is never made.
    /// </summary>
    public Admission Admit(IPAddress address, Func<T> start)
    {
        Admission verdict = _capacity > 0 && _holders.Count >= _capacity ? Judge(address) : Admission.Admitted.Instance;
        if (verdict is Admission.Refused)
        {
            return verdict;
        }

        if (verdict is Admission.Eviction eviction)
        {
            Release(eviction.Connection);
        }

        var connection = start();
        if (_holders.ContainsKey(connection))
        {
            throw new InvalidOperationException($"handshake slots: expected a new connection, got {connection} a second time");
        }

        if (!_byAddress.TryGetValue(address, out var list))
        {
            list = new LinkedList<Holder>();
            _byAddress[address] = list;
        }

        _holders[connection] = list.AddLast(new Holder(connection, address, _admitted++));
        return verdict;
    }

    /// <summary>The connection was established or ended: its slot is free. False when it held none (any more).</summary>
    public bool Release(T connection)
    {
        if (!_holders.Remove(connection, out var node))
        {
            return false;
        }

        var list = node.List!;
        list.Remove(node);
        if (list.Count == 0)
        {
            _byAddress.Remove(node.Value.Address);
        }

        return true;
    }

    /// <summary>Whether <paramref name="connection"/> holds a slot.</summary>
    public bool Holds(T connection) => _holders.ContainsKey(connection);

    // At most one pass over the addresses holding slots, so at most capacity entries.
    private Admission Judge(IPAddress newcomer)
    {
        var own = (_byAddress.TryGetValue(newcomer, out var mine) ? mine.Count : 0) + 1;
        Holder? heaviest = null;
        var most = 0;
        foreach (var (address, list) in _byAddress)
        {
            if (address.Equals(newcomer))
            {
                continue;
            }

            var oldest = list.First!.Value;
            if (heaviest is null || list.Count > most || (list.Count == most && oldest.Order < heaviest.Order))
            {
                heaviest = oldest;
                most = list.Count;
            }
        }

        // Refusing the newcomer costs its address what evicting its own oldest would, without a session made and
        // torn down; a tie with the heaviest is refused too, so a flood of equals does not keep evicting each other.
        if (heaviest is null || own > most || (own == most && most > 1))
        {
            return new Admission.Refused(newcomer, own);
        }

        return new Admission.Eviction(heaviest.Connection, heaviest.Address, most);
    }

    /// <summary>The verdict on a newcomer.</summary>
    public abstract record Admission
    {
        /// <summary>A slot was free.</summary>
        public sealed record Admitted : Admission
        {
            public static readonly Admitted Instance = new();
        }

        /// <summary>Admitted in place of <paramref name="Connection"/>, the oldest of <paramref name="Address"/>, which held <paramref name="AddressSlots"/>.</summary>
        public sealed record Eviction(T Connection, IPAddress Address, int AddressSlots) : Admission;

        /// <summary>Not admitted: its own <paramref name="Address"/> would hold <paramref name="AddressSlots"/>, the most.</summary>
        public sealed record Refused(IPAddress Address, int AddressSlots) : Admission;
    }

    private sealed record Holder(T Connection, IPAddress Address, long Order);
}

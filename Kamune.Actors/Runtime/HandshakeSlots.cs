using System.Net;

namespace Kamune.Actors.Runtime;

/// <summary>
/// kamune.max-concurrent-handshakes as a SYN-cache-like table of the accepted connections whose session is not
/// established yet. When every slot is taken, a newcomer is not refused: the oldest connection of the address
/// that holds the most slots (counting the newcomer) makes room for it, ties going to the oldest connection.
/// An address that floods the table therefore only ever evicts its own connections, while a peer holding one
/// slot keeps it until its handshake finishes or handshake-timeout ends it, however many connections arrive.
/// A slot is given back the moment its connection is established or its session ends (<see cref="Release"/>).
/// Plain rules, no actor types: the manager holds one and applies its verdicts.
/// </summary>
/// <typeparam name="T">What identifies a connection (the manager uses the connection's writer).</typeparam>
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

    /// <summary>Gives <paramref name="connection"/> a slot; returns the connection evicted to make room, if any.</summary>
    public Eviction? Admit(T connection, IPAddress address)
    {
        if (_holders.ContainsKey(connection))
        {
            throw new InvalidOperationException($"handshake slots: expected a new connection, got {connection} a second time");
        }

        Eviction? evicted = null;
        if (_capacity > 0 && _holders.Count >= _capacity)
        {
            evicted = Victim(address);
            Release(evicted.Connection);
        }

        if (!_byAddress.TryGetValue(address, out var list))
        {
            list = new LinkedList<Holder>();
            _byAddress[address] = list;
        }

        _holders[connection] = list.AddLast(new Holder(connection, address, _admitted++));
        return evicted;
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
    private Eviction Victim(IPAddress newcomer)
    {
        Holder? chosen = null;
        var chosenCount = 0;
        foreach (var (address, list) in _byAddress)
        {
            var count = list.Count + (address.Equals(newcomer) ? 1 : 0);
            var oldest = list.First!.Value;
            if (chosen is null || count > chosenCount || (count == chosenCount && oldest.Order < chosen.Order))
            {
                chosen = oldest;
                chosenCount = count;
            }
        }

        return new Eviction(chosen!.Connection, chosen.Address, chosenCount);
    }

    /// <summary>The connection that gave up its slot, its address, and how many slots that address held counting the newcomer.</summary>
    public sealed record Eviction(T Connection, IPAddress Address, int AddressSlots);

    private sealed record Holder(T Connection, IPAddress Address, long Order);
}

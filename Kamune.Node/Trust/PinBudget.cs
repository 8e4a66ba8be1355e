namespace Kamune.Node.Trust;

/// <summary>
/// How many keys never seen before one remote address may bring in per window (issue 16 item 2): trust on first use
/// pins whatever comes first, so without a cap one host could fill known_peers with names of its choosing, one
/// completed handshake each. A sliding window per IP address (the port is the peer's to change); the table of
/// addresses is bounded, the least recently active forgotten first. The window runs on a monotonic clock: a wall-clock
/// step (NTP, an operator setting the date) can neither empty every window at once nor hold them full.
/// </summary>
public sealed class PinBudget
{
    /// <summary>Addresses remembered at once; beyond this the one idle longest is forgotten.</summary>
    public const int MaxAddresses = 4096;

    private readonly IMonotonicClock _clock;
    private readonly Dictionary<string, Queue<TimeSpan>> _taken = new(StringComparer.Ordinal);

    public PinBudget(int keysPerWindow, TimeSpan window, IMonotonicClock clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keysPerWindow);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        KeysPerWindow = keysPerWindow;
        Window = window;
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>
    /// Ten new keys per address per hour: a household or office behind one NAT meets more than that in a day, not
    /// in an hour; a host inventing identities gets ten pins an hour instead of as many as it can handshake.
    /// </summary>
    public static PinBudget Default() => new(10, TimeSpan.FromHours(1), SystemMonotonicClock.Instance);

    public int KeysPerWindow { get; }

    public TimeSpan Window { get; }

    /// <summary>Takes one new key's place for <paramref name="address"/>; false once its window is full.</summary>
    public bool TryTake(string address)
    {
        var now = _clock.Elapsed;
        lock (_taken)
        {
            if (!_taken.TryGetValue(address, out var stamps))
            {
                if (_taken.Count >= MaxAddresses)
                {
                    Forget(now);
                }

                stamps = new Queue<TimeSpan>();
                _taken[address] = stamps;
            }

            while (stamps.Count > 0 && now - stamps.Peek() >= Window)
            {
                stamps.Dequeue();
            }

            if (stamps.Count >= KeysPerWindow)
            {
                return false;
            }

            stamps.Enqueue(now);
            return true;
        }
    }

    // Addresses whose window has passed go first; if none has, the one whose newest key is oldest.
    private void Forget(TimeSpan now)
    {
        var idle = _taken.Where(p => p.Value.Count == 0 || now - p.Value.Last() >= Window).Select(p => p.Key).ToList();
        if (idle.Count == 0)
        {
            idle.Add(_taken.MinBy(p => p.Value.Last()).Key);
        }

        foreach (var address in idle)
        {
            _taken.Remove(address);
        }
    }
}

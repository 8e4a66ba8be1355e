namespace Kamune.Node.Trust;

/// <summary>
/// The pins of known_peers in memory, keyed by fingerprint as the store is: a key has at most one name, a name and
/// an address each belong to at most one key. A pin that would break that is a conflict, never an overwrite: two
/// processes sharing a home, or a hand edit, cannot replace a good pin (docs/security.md, "Local trust state").
/// </summary>
internal sealed class PinIndex
{
    private readonly Dictionary<string, string?> _nameOfKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, int Line)> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, int Line)> _addresses = new(StringComparer.Ordinal);

    /// <summary>Pins held (a key with a name and an address counts twice).</summary>
    public int Count { get; private set; }

    /// <summary>Builds the index of a whole file; conflicting lines are an error naming both lines and the fix.</summary>
    public static PinIndex Build(string path, IEnumerable<(Pin Pin, int Line)> pins)
    {
        var index = new PinIndex();
        foreach (var (pin, line) in pins)
        {
            if (index.Conflict(pin) is { } conflict)
            {
                throw new Cli.NodeException(
                    $"known peers {path} line {line}: {pin.Describe()} for key {pin.Fingerprint} conflicts with {conflict}; keep the right line and delete the other");
            }

            index.Add(pin, line);
        }

        return index;
    }

    public bool Knows(string fingerprint) => _nameOfKey.ContainsKey(fingerprint);

    /// <summary>The name a key was pinned with, or null (unknown, or pinned without one).</summary>
    public string? NameOfKey(string fingerprint) => _nameOfKey.GetValueOrDefault(fingerprint);

    public string? FingerprintOfName(string name) => _names.TryGetValue(name, out var entry) ? entry.Fingerprint : null;

    public string? FingerprintOfAddress(string address) => _addresses.TryGetValue(address, out var entry) ? entry.Fingerprint : null;

    /// <summary>Whether the index already says what <paramref name="pin"/> says.</summary>
    public bool Holds(Pin pin) => pin.Kind switch
    {
        PinKind.Name => FingerprintOfName(pin.Label) == pin.Fingerprint,
        PinKind.Address => FingerprintOfAddress(pin.Label) == pin.Fingerprint,
        _ => Knows(pin.Fingerprint),
    };

    /// <summary>What <paramref name="pin"/> would contradict ("line 3: name "alice" of key ..."), or null.</summary>
    public string? Conflict(Pin pin)
    {
        switch (pin.Kind)
        {
            case PinKind.Name when _names.TryGetValue(pin.Label, out var named) && named.Fingerprint != pin.Fingerprint:
                return $"{Where(named.Line)}name \"{pin.Label}\" of key {named.Fingerprint}";
            case PinKind.Name when _nameOfKey.TryGetValue(pin.Fingerprint, out var label) && label is not null && label != pin.Label:
                return $"{Where(_names[label].Line)}name \"{label}\" of the same key";
            case PinKind.Address when _addresses.TryGetValue(pin.Label, out var at) && at.Fingerprint != pin.Fingerprint:
                return $"{Where(at.Line)}address {pin.Label} of key {at.Fingerprint}";
            default:
                return null;
        }
    }

    /// <summary>Adds a pin that does not conflict (<see cref="Conflict"/>); one already held changes nothing.</summary>
    public void Add(Pin pin, int line = 0)
    {
        if (Holds(pin))
        {
            return;
        }

        switch (pin.Kind)
        {
            case PinKind.Name:
                _names[pin.Label] = (pin.Fingerprint, line);
                _nameOfKey[pin.Fingerprint] = pin.Label;
                break;
            case PinKind.Address:
                _addresses[pin.Label] = (pin.Fingerprint, line);
                _nameOfKey.TryAdd(pin.Fingerprint, null);
                break;
            default:
                _nameOfKey.TryAdd(pin.Fingerprint, null);
                break;
        }

        Count++;
    }

    private static string Where(int line) => line > 0 ? $"line {line}: " : "a pin of this run: ";
}

namespace Kamune.Node.Hosting;

/// <summary>
/// The hub's numbering of established sessions: 1, 2, 3... in the order they came up, never reused in one run (the
/// numbers the console's /use and the JSON commands take). <typeparamref name="TSession"/> is the session actor in the
/// hub; any key in tests.
/// </summary>
internal sealed class SessionNumbers<TSession, TInfo>
    where TSession : notnull
{
    private readonly Dictionary<int, (TSession Session, TInfo Info)> _byNumber = new();
    private readonly Dictionary<TSession, int> _numbers = new();
    private int _next;

    public int Count => _byNumber.Count;

    /// <summary>Numbers a newly established session.</summary>
    public int Add(TSession session, TInfo info)
    {
        var number = ++_next;
        _byNumber[number] = (session, info);
        _numbers[session] = number;
        return number;
    }

    public bool TryGet(int number, out TSession session, out TInfo info)
    {
        if (_byNumber.TryGetValue(number, out var entry))
        {
            (session, info) = entry;
            return true;
        }

        (session, info) = (default!, default!);
        return false;
    }

    public bool TryNumber(TSession session, out int number) => _numbers.TryGetValue(session, out number);

    /// <summary>Forgets a session that ended; false if it was never numbered (it failed before it was established).</summary>
    public bool Remove(TSession session, out int number)
    {
        if (!_numbers.Remove(session, out number))
        {
            return false;
        }

        _byNumber.Remove(number);
        return true;
    }

    /// <summary>The live sessions in number order.</summary>
    public IEnumerable<(int Number, TSession Session, TInfo Info)> Live() =>
        _byNumber.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Session, p.Value.Info));

    /// <summary>What an error about an unknown number tells the user.</summary>
    public string Unknown(int number) =>
        $"no session {number}; live sessions: {(_byNumber.Count == 0 ? "none" : string.Join(", ", _byNumber.Keys.Order()))}";
}

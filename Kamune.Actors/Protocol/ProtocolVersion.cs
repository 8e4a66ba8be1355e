using System.Globalization;

namespace Kamune.Protocol;

internal enum VersionDecision
{
    Accept,
    /// <summary>Same major (at least 1), different minor: talk, but tell the user.</summary>
    AcceptWithWarning,
    Reject,
}

/// <summary>The outcome of checking a peer's Introduce.AppVersion; <see cref="Reason"/> says why when not a plain accept.</summary>
internal readonly record struct VersionVerdict(VersionDecision Decision, string Reason)
{
    public bool IsAccepted => Decision != VersionDecision.Reject;

    /// <summary>Turns a rejection into the session-ending <see cref="KamuneError.IncompatibleVersion"/>.</summary>
    public void ThrowIfRejected()
    {
        if (Decision == VersionDecision.Reject)
        {
            throw new KamuneProtocolException(KamuneError.IncompatibleVersion, Reason);
        }
    }
}

/// <summary>The protocol version announced in Introduce.AppVersion as "major.minor.patch" (protocol.md "Messages").</summary>
internal readonly record struct ProtocolVersion(int Major, int Minor, int Patch)
{
    /// <summary>The version this implementation speaks: 0.7.0, as the Go reference announces.</summary>
    public static readonly ProtocolVersion Current = new(0, 7, 0);

    /// <summary>Exactly three dot-separated runs of ASCII digits, each fitting an int; nothing else (no signs, no spaces).</summary>
    public static bool TryParse(string? text, out ProtocolVersion version)
    {
        version = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        Span<Range> parts = stackalloc Range[4];
        var span = text.AsSpan();
        if (span.Split(parts, '.') != 3)
        {
            return false;
        }

        if (!TryParsePart(span[parts[0]], out var major) || !TryParsePart(span[parts[1]], out var minor)
            || !TryParsePart(span[parts[2]], out var patch))
        {
            return false;
        }

        version = new ProtocolVersion(major, minor, patch);
        return true;
    }

    /// <summary>
    /// The Go reference's policy (version.go): unparseable -> reject; different major -> reject; local major 0 and
    /// different minor -> reject; different minor otherwise -> accept with a warning; patch never matters.
    /// </summary>
    public static VersionVerdict Check(string? remote, ProtocolVersion local)
    {
        if (!TryParse(remote, out var theirs))
        {
            return new VersionVerdict(
                VersionDecision.Reject,
                $"Protocol version: expected major.minor.patch, got \"{Printable(remote)}\".");
        }

        if (theirs.Major != local.Major)
        {
            return new VersionVerdict(
                VersionDecision.Reject,
                $"Protocol version: expected major {local.Major}, got {theirs.Major} (remote {theirs}).");
        }

        if (theirs.Minor != local.Minor)
        {
            return local.Major == 0
                ? new VersionVerdict(
                    VersionDecision.Reject,
                    $"Protocol version: before 1.0 the minor must match, expected {local.Major}.{local.Minor}, got {theirs}.")
                : new VersionVerdict(
                    VersionDecision.AcceptWithWarning,
                    $"Protocol version: minor differs, local {local}, remote {theirs}.");
        }

        return new VersionVerdict(VersionDecision.Accept, string.Empty);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

    private static bool TryParsePart(ReadOnlySpan<char> part, out int value)
    {
        value = 0;
        foreach (var c in part)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return !part.IsEmpty && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // The remote string is attacker input: bound it and drop control characters before it reaches a log line.
    private static string Printable(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var clipped = text.Length > 32 ? text[..32] + "..." : text;
        return string.Concat(clipped.Select(c => char.IsControl(c) ? '?' : c));
    }
}

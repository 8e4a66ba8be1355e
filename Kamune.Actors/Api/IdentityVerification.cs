using System.Collections.Frozen;

namespace Kamune;

/// <summary>
/// Decides whether a remote identity may open a session (protocol.md "Messages": both roles run their verifier
/// on the remote Introduce, after its signature and version checked out). Runs asynchronously, so a verifier may
/// ask a user or a store; the session waits, bounded by its handshake timer.
/// </summary>
public interface IIdentityVerifier
{
    /// <summary>
    /// Judges <paramref name="peer"/>, whose Introduce already verified. A rejection closes the session with
    /// <see cref="KamuneError.IdentityRejected"/> and the reason; so does an exception or a faulted task, with the
    /// exception's message. <paramref name="cancellationToken"/> is cancelled when the session stops waiting (handshake
    /// timeout, connection gone), so a verifier that asks a user or a store should give up then.
    /// </summary>
    Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken);
}

/// <summary>The verifier's answer: <see cref="Accept"/> or <see cref="Reject"/> with a reason the user can read.</summary>
public abstract record IdentityVerdict
{
    private IdentityVerdict()
    {
    }

    /// <summary>Let the session go on with its handshake.</summary>
    public static IdentityVerdict Accept { get; } = new Accepted();

    /// <summary>Close the session; <paramref name="reason"/> reaches the handler as <see cref="SessionClosed.Detail"/>.</summary>
    public static IdentityVerdict Reject(string reason) => new Rejected(reason);

    /// <summary>The identity may open a session (the shape of <see cref="Accept"/>).</summary>
    public sealed record Accepted : IdentityVerdict;

    /// <summary>The identity may not open a session, for <paramref name="Reason"/>.</summary>
    /// <param name="Reason">Why, in words for the user: it is logged and reported as <see cref="SessionClosed.Detail"/>.</param>
    public sealed record Rejected(string Reason) : IdentityVerdict;
}

/// <summary>Accepts every key whose Introduce verified: trust on first use is left to the application.</summary>
public sealed class AcceptAllVerifier : IIdentityVerifier
{
    /// <summary>The one instance: the verifier has no state.</summary>
    public static readonly AcceptAllVerifier Instance = new();

    private AcceptAllVerifier()
    {
    }

    /// <summary>Accepts <paramref name="peer"/> at once; <paramref name="cancellationToken"/> is not needed.</summary>
    public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) =>
        Task.FromResult(IdentityVerdict.Accept);
}

/// <summary>
/// Accepts only listed identities, given as PKIX public keys or as fingerprints (any text form
/// <see cref="Fingerprint.Parse"/> reads). Lookups compare the full fingerprint, never a prefix.
/// </summary>
public sealed class AllowListVerifier : IIdentityVerifier
{
    private readonly FrozenSet<Fingerprint> _fingerprints;

    private AllowListVerifier(IEnumerable<Fingerprint> fingerprints) =>
        _fingerprints = fingerprints.ToFrozenSet();

    /// <summary>How many distinct identities are on the list (duplicates given at creation count once).</summary>
    public int Count => _fingerprints.Count;

    /// <summary>Accepts exactly <paramref name="identities"/>, compared by <see cref="PublicIdentity.Fingerprint"/>.</summary>
    public static AllowListVerifier FromIdentities(IEnumerable<PublicIdentity> identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        return new AllowListVerifier(identities.Select(i => i.Fingerprint));
    }

    /// <summary>Each key is a 44-byte Ed25519 PKIX DER public key; a malformed one is a configuration error.</summary>
    public static AllowListVerifier FromPkixKeys(IEnumerable<ReadOnlyMemory<byte>> pkixKeys)
    {
        ArgumentNullException.ThrowIfNull(pkixKeys);
        var identities = new List<PublicIdentity>();
        foreach (var key in pkixKeys)
        {
            if (!PublicIdentity.TryFromPkix(key.Span, out var identity) || identity is null)
            {
                throw new ArgumentException(
                    $"Allow-list entry: expected a {PublicIdentity.PkixLength}-byte Ed25519 PKIX key, got {key.Length} bytes that do not parse.",
                    nameof(pkixKeys));
            }

            identities.Add(identity);
        }

        return FromIdentities(identities);
    }

    /// <summary>
    /// Fingerprints as base64url (43 characters, no padding), hex (64 characters, any case) or colon-separated hex
    /// (<see cref="Fingerprint.HexColon"/>, any case), read by <see cref="Fingerprint.Parse"/>; a malformed one
    /// throws <see cref="ArgumentException"/>.
    /// </summary>
    public static AllowListVerifier FromFingerprints(IEnumerable<string> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        return new AllowListVerifier(fingerprints.Select(ParseEntry).ToList());
    }

    /// <summary>
    /// Accepts <paramref name="peer"/> when its fingerprint is on the list; otherwise rejects it with a reason that
    /// names the fingerprint. Answers at once, so <paramref name="cancellationToken"/> is not needed.
    /// </summary>
    public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var fingerprint = peer.Identity.Fingerprint;
        return Task.FromResult(
            _fingerprints.Contains(fingerprint)
                ? IdentityVerdict.Accept
                : IdentityVerdict.Reject($"Identity {fingerprint.Base64} is not on the allow-list ({_fingerprints.Count} entries)."));
    }

    private static Fingerprint ParseEntry(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return Fingerprint.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"Allow-list entry: {e.Message}", nameof(text), e);
        }
    }
}

namespace Kamune;

/// <summary>
/// One kind per failure the protocol can report (protocol.md). A session ends with exactly one
/// of these; the node and every other session carry on.
/// </summary>
public enum KamuneError
{
    /// <summary>A frame declared a length above the receiver's limit.</summary>
    FrameTooLarge,
    /// <summary>The stream ended inside a frame (header or payload cut short).</summary>
    FrameTruncated,
    /// <summary>An exchange message (public key, responder hello, enc) had the wrong shape.</summary>
    MalformedExchange,
    /// <summary>An HPKE tunnel frame failed to open (wrong key, tampered, out of order).</summary>
    TunnelOpenFailed,
    /// <summary>A session payload failed XChaCha20-Poly1305 authentication or was too short.</summary>
    DecryptionFailed,
    /// <summary>A SignedTransport, Metadata or inner message was not valid protobuf for its type.</summary>
    MalformedMessage,
    /// <summary>The Ed25519 signature over metadata and data did not verify.</summary>
    InvalidSignature,
    /// <summary>The route is INVALID or unknown.</summary>
    InvalidRoute,
    /// <summary>The route is valid but not allowed in the current phase.</summary>
    UnexpectedRoute,
    /// <summary>The public key in an Introduce is not a valid Ed25519 PKIX key.</summary>
    InvalidPublicKey,
    /// <summary>The identity verifier refused the remote key.</summary>
    IdentityRejected,
    /// <summary>AppVersion is not three integers, or its major/minor is incompatible.</summary>
    IncompatibleVersion,
    /// <summary>Handshake fields failed validation (salt length, session key, KEM key or ciphertext size).</summary>
    InvalidHandshake,
    /// <summary>The challenge echo did not match the token sent.</summary>
    ChallengeFailed,
    /// <summary>A sequence number was a duplicate or left a gap.</summary>
    OutOfSync,
    /// <summary>An outgoing message exceeds the 61,439-byte cap.</summary>
    MessageTooLarge,
    /// <summary>The peer sent CLOSE_TRANSPORT: a graceful goodbye.</summary>
    PeerDisconnected,
    /// <summary>The connection dropped without CLOSE_TRANSPORT.</summary>
    ConnectionLost,
    /// <summary>The handshake did not finish in time.</summary>
    HandshakeTimeout,
    /// <summary>No frame arrived within the idle/read timeout.</summary>
    IdleTimeout,
    /// <summary>A private key file is missing, corrupt or not an Ed25519 PKCS#8 key.</summary>
    InvalidPrivateKey,
    /// <summary>
    /// Every handshake slot (kamune.max-concurrent-handshakes) was taken and this unfinished handshake, the oldest of
    /// the address holding the most, made room for a newer connection.
    /// </summary>
    HandshakeEvicted,
    /// <summary>Introduce.Name could pass for something else: another key's fingerprint, invisible or bidi characters (PeerName).</summary>
    InvalidName,
    /// <summary>
    /// The peer does not read what the node writes: a frame waited longer than write-timeout for the socket, or the
    /// frames held for the peer would pass outbound-max-frames / outbound-max-bytes.
    /// </summary>
    PeerNotReading,
}

/// <summary>
/// A protocol failure with its <see cref="KamuneError"/> kind. Messages say what was expected and
/// what was seen; they never carry key material.
/// </summary>
public sealed class KamuneProtocolException : Exception
{
    /// <summary>A failure of kind <paramref name="error"/>; <paramref name="message"/> says what was expected and what was seen.</summary>
    public KamuneProtocolException(KamuneError error, string message)
        : base(message) => Error = error;

    /// <summary>
    /// A failure of kind <paramref name="error"/> caused by <paramref name="inner"/> (a parser's or a cipher's own
    /// exception); <paramref name="message"/> says what was expected and what was seen.
    /// </summary>
    public KamuneProtocolException(KamuneError error, string message, Exception inner)
        : base(message, inner) => Error = error;

    /// <summary>Which check failed: match on this, not on the message. A session reports the same kind in <see cref="SessionClosed.Error"/>.</summary>
    public KamuneError Error { get; }

    /// <summary>The kind and the message only: no stack trace, so a log line stays one line.</summary>
    public override string ToString() => $"{Error}: {Message}";
}

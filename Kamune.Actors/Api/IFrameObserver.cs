using System.Net;

namespace Kamune;

/// <summary>Which way a frame went on the connection an <see cref="IFrameObserver"/> is told about.</summary>
public enum FrameDirection
{
    /// <summary>This node wrote the frame to the peer.</summary>
    Sent,

    /// <summary>This node read the frame from the peer.</summary>
    Received,
}

/// <summary>
/// Sees every frame payload a node's TCP connections carry (<see cref="KamuneNodeOptions.FrameObserver"/>): what a
/// capture between the two nodes would show, without the 2-byte big-endian length in front of each frame. Meant for
/// tests and diagnostics, such as recording a golden transcript from a real node.
/// </summary>
/// <remarks>
/// Only the exchange's frames (the first two or three of each connection, protocol.md step 1) are plaintext; every
/// later frame is ciphertext, so an observer sees no keys and no message contents. It is called on the connection's
/// stream, once per frame, in order per connection and direction, from several threads across connections: it must be
/// thread-safe, must not block (the connection waits for it) and should not throw (an exception fails that connection).
/// The payload is valid only during the call and cannot be altered; copy what you keep.
/// </remarks>
public interface IFrameObserver
{
    /// <param name="direction">Sent by this node or received from <paramref name="remote"/>.</param>
    /// <param name="remote">The peer's address as this node dialed or accepted it.</param>
    /// <param name="payload">The frame's payload, as on the wire.</param>
    void OnFrame(FrameDirection direction, EndPoint remote, ReadOnlySpan<byte> payload);
}

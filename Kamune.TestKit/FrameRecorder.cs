using System.Collections.Concurrent;
using System.Net;

namespace Kamune.TestKit;

/// <summary>
/// An <see cref="IFrameObserver"/> that records a real node's frames per direction: give it as
/// <see cref="KamuneNodeOptions.FrameObserver"/> and read <see cref="Sent"/> and <see cref="Received"/> after the session,
/// e.g. to record a golden transcript over real TCP. It copies each frame and never blocks the connection.
/// </summary>
/// <remarks>
/// Frames of every connection of the node go into the same two captures, each connection's in order: record a node
/// with one connection for a transcript. Past the exchange the frames are ciphertext (see <see cref="IFrameObserver"/>).
/// </remarks>
public sealed class FrameRecorder : IFrameObserver
{
    private readonly ConcurrentDictionary<EndPoint, byte> _remotes = new();

    /// <summary>What the node wrote, in order.</summary>
    public FrameCapture Sent { get; } = new();

    /// <summary>What the node read, in order.</summary>
    public FrameCapture Received { get; } = new();

    /// <summary>The peers whose frames were recorded (the addresses the node dialed or accepted).</summary>
    public IReadOnlyCollection<EndPoint> Remotes => [.. _remotes.Keys];

    /// <inheritdoc />
    public void OnFrame(FrameDirection direction, EndPoint remote, ReadOnlySpan<byte> payload)
    {
        _remotes.TryAdd(remote, 0);
        (direction == FrameDirection.Sent ? Sent : Received).Add(payload);
    }
}

using Akka.IO;

namespace Kamune.TestKit;

/// <summary>
/// Decides what the in-memory connection delivers for frame <paramref name="index"/> (0 is the first frame one side
/// writes): the frame itself, nothing (dropped), another frame (replaced) or several (injected). The capture always
/// holds what the side wrote, before tampering.
/// </summary>
/// <returns>The frames to deliver, in order, in place of <paramref name="frame"/>.</returns>
public delegate IEnumerable<ByteString> FrameTamper(int index, ByteString frame);

/// <summary>Ready-made <see cref="FrameTamper"/>s for the common attacks on one frame.</summary>
public static class FrameTampers
{
    /// <summary>Every frame delivered as written.</summary>
    public static FrameTamper Untouched { get; } = (_, frame) => [frame];

    /// <summary>Frame <paramref name="index"/> replaced by what <paramref name="change"/> makes of it; the rest untouched.</summary>
    public static FrameTamper At(int index, Func<ByteString, IEnumerable<ByteString>> change) =>
        (i, frame) => i == index ? change(frame) : [frame];

    /// <summary>Frame <paramref name="index"/> never arrives.</summary>
    public static FrameTamper Drop(int index) => At(index, _ => []);

    /// <summary>Frame <paramref name="index"/> arrives as <paramref name="replace"/> makes it.</summary>
    public static FrameTamper Replace(int index, Func<ByteString, ByteString> replace) => At(index, frame => [replace(frame)]);

    /// <summary><paramref name="injected"/> arrives right after frame <paramref name="index"/>.</summary>
    public static FrameTamper InjectAfter(int index, ByteString injected) => At(index, frame => [frame, injected]);

    /// <summary>Nothing from frame <paramref name="index"/> on arrives: the peer goes silent, the connection stays open.</summary>
    public static FrameTamper SilentFrom(int index) => (i, frame) => i < index ? [frame] : [];
}

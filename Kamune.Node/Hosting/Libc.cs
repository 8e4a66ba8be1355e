using System.Runtime.InteropServices;

namespace Kamune.Node.Hosting;

/// <summary>The few Unix calls the node's standard streams need and .NET does not offer without a stream of its own.</summary>
internal static partial class Libc
{
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const short POLLIN = 1;
    public const short POLLOUT = 4;

    /// <summary>Waits at most <paramref name="timeoutMilliseconds"/> for <paramref name="events"/> on <paramref name="descriptor"/>: 1 when ready, 0 on timeout, -1 on error.</summary>
    public static unsafe int Poll(int descriptor, short events, int timeoutMilliseconds)
    {
        var poll = new PollFd { Descriptor = descriptor, Events = events };
        return poll_(&poll, 1, timeoutMilliseconds);
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int descriptor, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int descriptor, byte* buffer, nuint count);

    /// <summary>The foreground process group of the terminal on <paramref name="descriptor"/>; -1 if it is not this process's controlling terminal.</summary>
    [LibraryImport("libc", EntryPoint = "tcgetpgrp")]
    public static partial int TcGetPgrp(int descriptor);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    public static partial int GetPgrp();

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int poll_(PollFd* descriptors, nuint count, int timeoutMilliseconds);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }
}

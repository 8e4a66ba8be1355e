using System.Runtime.InteropServices;
using Kamune.Node.Cli;

namespace Kamune.Node.Home;

/// <summary>
/// The owner and mode checks for the node's home and the files in it (docs/security.md, "Local trust state"), the
/// stance of ssh towards ~/.ssh: a home or file that another user owns, or that group or others may write, could
/// have had a pin or a key replaced, so it is refused with one line naming the path and the fix.
/// </summary>
internal static class PrivatePath
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Throws <see cref="NodeException"/> if <paramref name="path"/> exists and is not safely this user's.</summary>
    public static void Check(string path, string what)
    {
        if (OperatingSystem.IsWindows() || !(File.Exists(path) || Directory.Exists(path)))
        {
            return;
        }

        var isDirectory = Directory.Exists(path);
        if (OwnerOf(path) is { } owner && owner != CurrentUser())
        {
            throw new NodeException(
                $"{what} {path} belongs to user id {owner}, not to this user ({CurrentUser()}); expected this user's own: run chown {CurrentUser()} {path}, or use another --home");
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & WritableByOthers) != 0)
        {
            throw new NodeException(
                $"{what} {path} is writable by group or others (mode {ModeText(mode)}); expected {(isDirectory ? "0700" : "0600")}: run chmod {(isDirectory ? "700" : "600")} {path}");
        }
    }

    public static string ModeText(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    /// <summary>The owning user id, or null where this platform has no statx (the mode is still checked).</summary>
    internal static uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx keeps one layout on every Linux architecture (unlike struct stat): stx_uid is the u32 at 20.
        Span<byte> buffer = stackalloc byte[256];
        int result;
        try
        {
            result = StatX(AtFdCwd, path, AtSymlinkNoFollow, StatXUid, ref MemoryMarshal.GetReference(buffer));
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        if (result != 0)
        {
            throw new NodeException($"cannot check the owner of {path}: statx failed with errno {Marshal.GetLastPInvokeError()}");
        }

        return BitConverter.ToUInt32(buffer[20..24]);
    }

    internal static uint CurrentUser() => GetEUid();

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatXUid = 0x8;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatX(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEUid();
}

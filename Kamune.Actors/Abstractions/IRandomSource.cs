using System.Security.Cryptography;

namespace Kamune;

/// <summary>
/// Every random byte Kamune uses comes through here, so a test can replay a whole session
/// exactly by injecting a deterministic source (Kamune.TestKit's DeterministicRandomSource).
/// </summary>
public interface IRandomSource
{
    /// <summary>
    /// Fills all of <paramref name="destination"/> with random bytes. Key generation, nonces and padding draw from
    /// here, so anything but a test must return cryptographically secure output.
    /// </summary>
    void Fill(Span<byte> destination);
}

/// <summary>
/// The operating system's CSPRNG. The only source to use outside tests.
/// A session draws many small amounts per message (message ID, bucket bump, padding, nonce); each call into the OS
/// generator has a fixed cost, so small draws are served from a per-thread block of OS output, refilled 4 KiB at a
/// time. Every byte is handed out once and wiped from the block as it goes, so the block only ever holds bytes not yet
/// used (the OS generator's own state is no less exposed in memory).
/// </summary>
public sealed class SystemRandomSource : IRandomSource
{
    /// <summary>The one instance; its buffered blocks are per thread, so every node and session may share it.</summary>
    public static readonly SystemRandomSource Instance = new();

    private const int BlockSize = 4096;
    private const int LargestBuffered = 1024;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_available;

    private SystemRandomSource()
    {
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from the OS generator: draws of up to 1 KiB come from the calling thread's
    /// block, larger ones straight from <see cref="RandomNumberGenerator.Fill"/>.
    /// </summary>
    public void Fill(Span<byte> destination)
    {
        if (destination.Length > LargestBuffered)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var block = t_block ??= new byte[BlockSize];
        if (t_available < destination.Length)
        {
            RandomNumberGenerator.Fill(block);
            t_available = BlockSize;
        }

        var unused = block.AsSpan(BlockSize - t_available, destination.Length);
        unused.CopyTo(destination);
        CryptographicOperations.ZeroMemory(unused);
        t_available -= destination.Length;
    }
}

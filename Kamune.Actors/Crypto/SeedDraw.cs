using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>Builds a key from a seed.</summary>
internal delegate T FromSeed<out T>(ReadOnlySpan<byte> seed);

/// <summary>
/// Draws a key seed from the injected random source onto the stack and wipes it once the key exists: the one way
/// every key pair type is generated, so seeded tests reproduce keys and no seed copy outlives the call.
/// </summary>
internal static class SeedDraw
{
    public static T Generate<T>(IRandomSource random, int seedLength, FromSeed<T> create)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> seed = stackalloc byte[seedLength];
        try
        {
            random.Fill(seed);
            return create(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}

using Kamune.Crypto;

namespace Kamune.Tests;

public class SodiumBindingTests
{
    [Fact]
    public void Native_sizes_match_the_wire_contract()
    {
        // The static constructor throws if libsodium's sizes differ from the Kamune wire sizes.
        Sodium.EnsureInitialized();
        Assert.Equal(1216, Sodium.XWingPublicKeyBytes);
    }
}

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

    [Fact]
    public void Vector_files_are_copied_beside_the_tests()
    {
        var root = Kamune.Tests.Vectors.VectorFile.GoReference;
        Assert.Equal("0.7.0", root.GetProperty("kamune_app_version").GetString());
    }
}

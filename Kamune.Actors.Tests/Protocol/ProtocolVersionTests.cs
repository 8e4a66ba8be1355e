using Kamune.Protocol;

namespace Kamune.Tests.Protocol;

public class ProtocolVersionTests
{
    [Fact]
    public void Current_is_announced_as_0_7_0()
    {
        Assert.Equal(
            Kamune.Tests.Vectors.VectorFile.GoReference.GetProperty("kamune_app_version").GetString(),
            ProtocolVersion.Current.ToString());
    }

    [Theory]
    [InlineData("0.7.0", 0, 7, 0)]
    [InlineData("10.20.30", 10, 20, 30)]
    [InlineData("0.07.0", 0, 7, 0)]
    public void TryParse_reads_three_integers(string text, int major, int minor, int patch)
    {
        Assert.True(ProtocolVersion.TryParse(text, out var version));
        Assert.Equal(new ProtocolVersion(major, minor, patch), version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0.7")]
    [InlineData("0.7.0.1")]
    [InlineData("0..0")]
    [InlineData("v0.7.0")]
    [InlineData("0.7.0-beta")]
    [InlineData("-1.7.0")]
    [InlineData("+0.7.0")]
    [InlineData(" 0.7.0")]
    [InlineData("0.7.99999999999")]
    public void TryParse_rejects_anything_but_three_non_negative_integers(string? text)
    {
        Assert.False(ProtocolVersion.TryParse(text, out _));
    }

    [Theory]
    [InlineData("0.7.0", VersionDecision.Accept)]
    [InlineData("0.7.9", VersionDecision.Accept)]
    [InlineData("0.8.0", VersionDecision.Reject)]
    [InlineData("0.6.3", VersionDecision.Reject)]
    [InlineData("1.7.0", VersionDecision.Reject)]
    [InlineData("seven", VersionDecision.Reject)]
    public void Check_against_0_7_follows_the_pre_1_0_policy(string remote, object expectedValue)
    {
        // Boxed: xunit theories must be public, VersionDecision is internal to the library.
        var expected = (VersionDecision)expectedValue;
        Assert.Equal(expected, ProtocolVersion.Check(remote, ProtocolVersion.Current).Decision);
    }

    [Theory]
    [InlineData("1.2.0", VersionDecision.Accept)]
    [InlineData("1.3.5", VersionDecision.AcceptWithWarning)]
    [InlineData("2.2.0", VersionDecision.Reject)]
    public void Check_after_1_0_warns_on_minor_and_rejects_major(string remote, object expectedValue)
    {
        // Boxed: xunit theories must be public, VersionDecision is internal to the library.
        var expected = (VersionDecision)expectedValue;
        var verdict = ProtocolVersion.Check(remote, new ProtocolVersion(1, 2, 0));
        Assert.Equal(expected, verdict.Decision);
        Assert.Equal(expected != VersionDecision.Reject, verdict.IsAccepted);
    }

    [Fact]
    public void Rejection_throws_incompatible_version_saying_expected_and_got()
    {
        var verdict = ProtocolVersion.Check("0.8.0", ProtocolVersion.Current);
        var error = Assert.Throws<KamuneProtocolException>(verdict.ThrowIfRejected);
        Assert.Equal(KamuneError.IncompatibleVersion, error.Error);
        Assert.Contains("expected", error.Message);
        Assert.Contains("0.8.0", error.Message);
    }
}

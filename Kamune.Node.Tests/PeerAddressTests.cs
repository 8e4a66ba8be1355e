using Kamune.Node.Cli;

namespace Kamune.Node.Tests;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:7411", "127.0.0.1", 7411)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("node-1.example.org:65535", "node-1.example.org", 65535)]
    [InlineData("[::1]:9000", "::1", 9000)]
    [InlineData("  10.0.0.2:80 ", "10.0.0.2", 80)]
    public void Parse_reads_host_and_port(string text, string host, int port)
    {
        var address = PeerAddress.Parse(text, allowPortZero: false, "--dial");

        Assert.Equal(new PeerAddress(host, port), address);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("localhost", "expected HOST:PORT")]
    [InlineData(":7411", "expected HOST:PORT")]
    [InlineData("host:", "expected a port")]
    [InlineData("host:65536", "expected a port in 1..65535, got \"65536\"")]
    [InlineData("host:-1", "expected a port")]
    [InlineData("host:0", "expected a port in 1..65535, got \"0\"")]
    [InlineData("::1:7411", "IPv6 address in brackets")]
    [InlineData("[zz]:7411", "IPv6 address inside the brackets")]
    [InlineData("[::1]7411", "[IPv6]:PORT")]
    [InlineData("bad host:1", "host name or IP address")]
    public void Parse_rejects_malformed_address_with_usage_error_naming_the_problem(string text, string expected)
    {
        var error = Assert.Throws<NodeException>(() => PeerAddress.Parse(text, allowPortZero: false, "--dial"));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith("--dial: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_zero_is_allowed_only_for_listening()
    {
        Assert.True(PeerAddress.TryParse("127.0.0.1:0", allowPortZero: true, out var address, out _));
        Assert.Equal(0, address!.Port);
        Assert.False(PeerAddress.TryParse("127.0.0.1:0", allowPortZero: false, out _, out _));
    }

    [Theory]
    [InlineData("127.0.0.1:7411")]
    [InlineData("[fe80::1]:1")]
    [InlineData("example.org:22")]
    public void ToString_gives_back_the_parsed_form(string text)
    {
        Assert.Equal(text, PeerAddress.Parse(text, allowPortZero: false, "x").ToString());
    }

    [Fact]
    public void Format_unmaps_ipv4_mapped_endpoints()
    {
        var mapped = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.1").MapToIPv6(), 5000);

        Assert.Equal("127.0.0.1:5000", PeerAddress.Format(mapped));
    }
}

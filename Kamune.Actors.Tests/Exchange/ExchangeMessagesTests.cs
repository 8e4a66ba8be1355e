using Kamune.Protocol;

namespace Kamune.Tests.Exchange;

public class ExchangeMessagesTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1215)]
    [InlineData(1217)]
    [InlineData(2338)]
    public void Initiator_key_of_the_wrong_length_is_malformed(int length) =>
        AssertMalformed(() => ExchangeMessages.ValidateInitiatorKey(new byte[length]), "expected 1216 bytes", $"got {length}");

    [Fact]
    public void Initiator_key_of_1216_bytes_is_accepted() => ExchangeMessages.ValidateInitiatorKey(new byte[1216]);

    [Theory]
    [InlineData(0)]
    [InlineData(1119)]
    [InlineData(1121)]
    public void Initiator_enc_of_the_wrong_length_is_malformed(int length) =>
        AssertMalformed(() => ExchangeMessages.ValidateInitiatorEnc(new byte[length]), "expected 1120 bytes", $"got {length}");

    [Fact]
    public void Responder_hello_round_trips_with_the_go_layout()
    {
        var enc = Enumerable.Range(0, 1120).Select(i => (byte)i).ToArray();
        var key = Enumerable.Range(0, 1216).Select(i => (byte)(i * 7)).ToArray();
        var frame = ExchangeMessages.EncodeResponderHello(enc, key);
        Assert.Equal(2338, frame.Length);
        Assert.Equal(new byte[] { 0x04, 0x60 }, frame[..2]);
        var (parsedEnc, parsedKey) = ExchangeMessages.ParseResponderHello(frame);
        Assert.Equal(enc, parsedEnc.ToArray());
        Assert.Equal(key, parsedKey.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Responder_hello_shorter_than_its_length_prefix_is_malformed(int length) =>
        AssertMalformed(() => ExchangeMessages.ParseResponderHello(new byte[length]), "at least 2 bytes", $"got {length}");

    [Theory]
    [InlineData(0)]
    [InlineData(1119)]
    [InlineData(1121)]
    [InlineData(65535)]
    public void Responder_hello_with_another_enc_length_is_malformed(int declared)
    {
        var frame = ValidHello();
        frame[0] = (byte)(declared >> 8);
        frame[1] = (byte)declared;
        AssertMalformed(() => ExchangeMessages.ParseResponderHello(frame), "expected 1120", $"got {declared}");
    }

    [Theory]
    [InlineData(2337)]
    [InlineData(2339)]
    [InlineData(1122)]
    public void Responder_hello_of_the_wrong_total_size_is_malformed(int total)
    {
        var frame = new byte[total];
        ValidHello().AsSpan(0, Math.Min(total, 2338)).CopyTo(frame);
        AssertMalformed(() => ExchangeMessages.ParseResponderHello(frame), "expected 2338 bytes", $"got {total}");
    }

    [Fact]
    public void Encoding_parts_of_the_wrong_size_is_a_programming_error() =>
        Assert.Throws<ArgumentException>(() => ExchangeMessages.EncodeResponderHello(new byte[1119], new byte[1216]));

    private static byte[] ValidHello() => ExchangeMessages.EncodeResponderHello(new byte[1120], new byte[1216]);

    private static void AssertMalformed(Action action, string expected, string got)
    {
        var ex = Assert.Throws<KamuneProtocolException>(action);
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(got, ex.Message);
    }
}

using Kamune.Crypto;
using Kamune.Tests.Support;

namespace Kamune.Tests.Exchange;

/// <summary>HPKE contexts: differential against BouncyCastle, and every way an open must fail.</summary>
public class HpkeTests
{
    /// <summary>A sender and recipient context over one fresh X-Wing key, disposed together.</summary>
    private sealed class ContextPair : IDisposable
    {
        public ContextPair(ulong seed)
        {
            var random = new DeterministicRandomSource(seed);
            Key = XWingKeyPair.Generate(random);
            Sender = Hpke.SetupBaseSender(Key.PublicKey.Span, random, out var enc);
            Recipient = Hpke.SetupBaseRecipient(enc, Key);
        }

        public XWingKeyPair Key { get; }
        public HpkeSenderContext Sender { get; }
        public HpkeRecipientContext Recipient { get; }

        public void Dispose()
        {
            Sender.Dispose();
            Recipient.Dispose();
            Key.Dispose();
        }
    }

    [Fact]
    public void Seal_matches_a_bouncycastle_context_over_many_messages()
    {
        var random = new DeterministicRandomSource(11);
        using var key = XWingKeyPair.Generate(random);
        var eseed = new byte[64];
        random.Fill(eseed);
        using var sender = Hpke.SetupBaseSender(key.PublicKey.Span, new ScriptedRandomSource(eseed), out var enc);
        var sharedSecret = XWingOracle.Decapsulate(SeedOf(11), enc);
        var oracle = new HpkeOracle(sharedSecret, []);

        for (var i = 0; i < 40; i++)
        {
            var plaintext = new byte[i * 37];
            random.Fill(plaintext);
            Assert.Equal(oracle.Seal(plaintext), sender.Seal(plaintext));
        }

        Assert.Equal(40UL, sender.Sequence);
        Assert.Equal(oracle.Export("ctx"u8.ToArray(), 100), sender.Export("ctx"u8, 100));
    }

    [Fact]
    public void Span_seal_and_try_open_round_trip()
    {
        using var pair = new ContextPair(12);
        var plaintext = "hello tunnel"u8.ToArray();
        var ciphertext = new byte[plaintext.Length + Hpke.Overhead + 5];
        var length = pair.Sender.Seal(plaintext, ciphertext);
        Assert.Equal(plaintext.Length + Hpke.Overhead, length);
        var opened = new byte[ciphertext.Length];
        Assert.True(pair.Recipient.TryOpen(ciphertext.AsSpan(0, length), opened, out var written));
        Assert.Equal(plaintext, opened[..written]);
        Assert.Equal(pair.Sender.Export([], 32), pair.Recipient.Export([], 32));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(21)]
    public void Open_rejects_a_flipped_bit_in_ciphertext_or_tag(int position)
    {
        using var pair = new ContextPair(13);
        var ciphertext = pair.Sender.Seal("sixteen byte msg"u8);
        ciphertext[position] ^= 0x01;
        AssertOpenFails(pair.Recipient, ciphertext);
        Assert.Equal(0UL, pair.Recipient.Sequence);
    }

    [Fact]
    public void Open_rejects_a_message_for_another_recipient()
    {
        using var pair = new ContextPair(14);
        using var other = new ContextPair(15);
        AssertOpenFails(other.Recipient, pair.Sender.Seal("for someone else"u8));
    }

    [Fact]
    public void Open_rejects_messages_out_of_order_and_replays()
    {
        using var pair = new ContextPair(16);
        var first = pair.Sender.Seal("first"u8);
        var second = pair.Sender.Seal("second"u8);
        AssertOpenFails(pair.Recipient, second);
        Assert.Equal("first"u8.ToArray(), pair.Recipient.Open(first));
        AssertOpenFails(pair.Recipient, first);
        Assert.Equal("second"u8.ToArray(), pair.Recipient.Open(second));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(20)]
    public void Open_rejects_a_truncated_message(int length)
    {
        using var pair = new ContextPair(17);
        var ciphertext = pair.Sender.Seal("a message long enough"u8);
        AssertOpenFails(pair.Recipient, ciphertext[..length]);
        Assert.False(pair.Recipient.TryOpen(ciphertext[..length], new byte[64], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Sender_refuses_to_seal_past_the_last_sequence_number()
    {
        using var pair = new ContextPair(18);
        pair.Sender.State.SetSequenceForTest(ulong.MaxValue - 1);
        pair.Recipient.State.SetSequenceForTest(ulong.MaxValue - 1);
        Assert.Equal("last"u8.ToArray(), pair.Recipient.Open(pair.Sender.Seal("last"u8)));
        Assert.Throws<InvalidOperationException>(() => pair.Sender.Seal("one too many"u8));
        AssertOpenFails(pair.Recipient, new byte[32]);
    }

    [Fact]
    public void Setup_rejects_enc_of_the_wrong_length()
    {
        using var key = XWingKeyPair.Generate(new DeterministicRandomSource(19));
        var ex = Assert.Throws<KamuneProtocolException>(() => Hpke.SetupBaseRecipient(new byte[1119], key));
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
    }

    [Fact]
    public void Info_changes_the_keys()
    {
        using var key = XWingKeyPair.Generate(new DeterministicRandomSource(20));
        using var sender = Hpke.SetupBaseSender(key.PublicKey.Span, new DeterministicRandomSource(21), out var enc, "info"u8);
        using var plain = Hpke.SetupBaseRecipient(enc, key);
        using var withInfo = Hpke.SetupBaseRecipient(enc, key, "info"u8);
        var ciphertext = sender.Seal("x"u8);
        AssertOpenFails(plain, ciphertext);
        Assert.Equal("x"u8.ToArray(), withInfo.Open(ciphertext));
    }

    [Fact]
    public void Seal_rejects_a_short_output_buffer()
    {
        using var pair = new ContextPair(22);
        Assert.Throws<ArgumentException>(() => pair.Sender.Seal(new byte[10], new byte[25]));
    }

    private static void AssertOpenFails(HpkeRecipientContext recipient, byte[] ciphertext)
    {
        var ex = Assert.Throws<KamuneProtocolException>(() => recipient.Open(ciphertext));
        Assert.Equal(KamuneError.TunnelOpenFailed, ex.Error);
    }

    private static byte[] SeedOf(ulong seed)
    {
        var bytes = new byte[XWingKeyPair.SeedSize];
        new DeterministicRandomSource(seed).Fill(bytes);
        return bytes;
    }
}

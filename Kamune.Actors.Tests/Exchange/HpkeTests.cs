using Kamune.Abstractions;
using Kamune.Crypto;
using Kamune.Protocol;

namespace Kamune.Tests.Exchange;

/// <summary>HPKE contexts: differential against BouncyCastle, and every way an open must fail.</summary>
public class HpkeTests
{
    private static (HpkeSenderContext Sender, HpkeRecipientContext Recipient, XWingKeyPair Key) Pair(ulong seed)
    {
        var random = new DeterministicRandomSource(seed);
        var key = XWingKeyPair.Generate(random);
        var sender = Hpke.SetupBaseSender(key.PublicKey.Span, random, out var enc);
        return (sender, Hpke.SetupBaseRecipient(enc, key), key);
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
        var (sender, recipient, key) = Pair(12);
        using (sender)
        using (recipient)
        using (key)
        {
            var plaintext = "hello tunnel"u8.ToArray();
            var ciphertext = new byte[plaintext.Length + Hpke.Overhead + 5];
            var length = sender.Seal(plaintext, ciphertext);
            Assert.Equal(plaintext.Length + Hpke.Overhead, length);
            var opened = new byte[ciphertext.Length];
            Assert.True(recipient.TryOpen(ciphertext.AsSpan(0, length), opened, out var written));
            Assert.Equal(plaintext, opened[..written]);
            Assert.Equal(sender.Export([], 32), recipient.Export([], 32));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(21)]
    public void Open_rejects_a_flipped_bit_in_ciphertext_or_tag(int position)
    {
        var (sender, recipient, key) = Pair(13);
        using (sender)
        using (recipient)
        using (key)
        {
            var ciphertext = sender.Seal("sixteen byte msg"u8);
            ciphertext[position] ^= 0x01;
            AssertOpenFails(recipient, ciphertext);
            Assert.Equal(0UL, recipient.Sequence);
        }
    }

    [Fact]
    public void Open_rejects_a_message_for_another_recipient()
    {
        var (sender, _, key) = Pair(14);
        var (_, otherRecipient, otherKey) = Pair(15);
        using (sender)
        using (otherRecipient)
        using (key)
        using (otherKey)
        {
            AssertOpenFails(otherRecipient, sender.Seal("for someone else"u8));
        }
    }

    [Fact]
    public void Open_rejects_messages_out_of_order_and_replays()
    {
        var (sender, recipient, key) = Pair(16);
        using (sender)
        using (recipient)
        using (key)
        {
            var first = sender.Seal("first"u8);
            var second = sender.Seal("second"u8);
            AssertOpenFails(recipient, second);
            Assert.Equal("first"u8.ToArray(), recipient.Open(first));
            AssertOpenFails(recipient, first);
            Assert.Equal("second"u8.ToArray(), recipient.Open(second));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(20)]
    public void Open_rejects_a_truncated_message(int length)
    {
        var (sender, recipient, key) = Pair(17);
        using (sender)
        using (recipient)
        using (key)
        {
            var ciphertext = sender.Seal("a message long enough"u8);
            AssertOpenFails(recipient, ciphertext[..length]);
            Assert.False(recipient.TryOpen(ciphertext[..length], new byte[64], out var written));
            Assert.Equal(0, written);
        }
    }

    [Fact]
    public void Sender_refuses_to_seal_past_the_last_sequence_number()
    {
        var (sender, recipient, key) = Pair(18);
        using (sender)
        using (recipient)
        using (key)
        {
            sender.State.SetSequenceForTest(ulong.MaxValue - 1);
            recipient.State.SetSequenceForTest(ulong.MaxValue - 1);
            Assert.Equal("last"u8.ToArray(), recipient.Open(sender.Seal("last"u8)));
            Assert.Throws<InvalidOperationException>(() => sender.Seal("one too many"u8));
            AssertOpenFails(recipient, new byte[32]);
        }
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
        var (sender, recipient, key) = Pair(22);
        using (sender)
        using (recipient)
        using (key)
        {
            Assert.Throws<ArgumentException>(() => sender.Seal(new byte[10], new byte[25]));
        }
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

using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Cipher;

public class SessionCipherTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private static byte[] SealOne(byte[] plaintext)
    {
        using var sealer = new SessionSealer(Key, new DeterministicRandomSource(1));
        return sealer.Seal(plaintext);
    }

    [Fact]
    public void Sealed_payload_is_nonce_then_ciphertext_then_tag_and_opens()
    {
        var plaintext = "hello kamune"u8.ToArray();
        var payload = SealOne(plaintext);

        Assert.Equal(plaintext.Length + SessionSealer.Overhead, payload.Length);
        Assert.Equal(XChaChaOracles.BouncyCastleSeal(Key, payload[..24], plaintext), payload[24..]);
        using var opener = new SessionOpener(Key);
        Assert.Equal(plaintext, opener.Open(payload));
    }

    [Fact]
    public void Nonce_is_the_random_prefix_then_a_little_endian_counter()
    {
        var prefix = Enumerable.Range(0xA0, 16).Select(i => (byte)i).ToArray();
        var random = new ScriptedRandomSource(prefix);
        using var sealer = new SessionSealer(Key, random);

        var payloads = Enumerable.Range(0, 3).Select(_ => sealer.Seal([1, 2, 3])).ToArray();

        Assert.Equal(0, random.Remaining);
        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(prefix, payloads[i][..16]);
            Assert.Equal(BitConverter.GetBytes((ulong)i), payloads[i][16..24]);
        }
    }

    [Fact]
    public void Two_seals_never_share_a_nonce_even_across_threads()
    {
        using var sealer = new SessionSealer(Key, new DeterministicRandomSource(2));
        var nonces = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 2000, _ => nonces.Add(Convert.ToHexString(sealer.Seal([0])[..24])));

        Assert.Equal(2000, nonces.Distinct().Count());
    }

    [Fact]
    public void Different_random_sources_give_different_prefixes()
    {
        using var a = new SessionSealer(Key, new DeterministicRandomSource(3));
        using var b = new SessionSealer(Key, new DeterministicRandomSource(4));

        Assert.NotEqual(a.Seal([])[..16], b.Seal([])[..16]);
    }

    [Fact]
    public void Counter_exhaustion_refuses_to_seal_instead_of_reusing_a_nonce()
    {
        using var sealer = new SessionSealer(Key, new DeterministicRandomSource(5), ulong.MaxValue - 1);

        var last = sealer.Seal([9]);
        Assert.Equal(BitConverter.GetBytes(ulong.MaxValue - 1), last[16..24]);
        Assert.Throws<InvalidOperationException>(() => sealer.Seal([9]));
        Assert.Throws<InvalidOperationException>(() => sealer.Seal([9]));
    }

    [Fact]
    public void Span_Seal_writes_into_a_larger_buffer_and_returns_the_length()
    {
        using var sealer = new SessionSealer(Key, new DeterministicRandomSource(6));
        var buffer = new byte[100];

        var written = sealer.Seal([1, 2, 3, 4], buffer);

        Assert.Equal(44, written);
        using var opener = new SessionOpener(Key);
        var plaintext = new byte[10];
        Assert.True(opener.TryOpen(buffer.AsSpan(0, written), plaintext, out var opened));
        Assert.Equal(4, opened);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, plaintext[..4]);
        Assert.Throws<ArgumentException>(() => sealer.Seal([1, 2, 3, 4], new byte[43]));
    }

    public static TheoryData<string, Func<byte[], byte[]>> Tamperings => new()
    {
        { "flipped nonce bit", p => Flip(p, 3) },
        { "flipped counter bit", p => Flip(p, 20) },
        { "flipped ciphertext bit", p => Flip(p, 24) },
        { "flipped tag bit", p => Flip(p, p.Length - 1) },
        { "truncated to one byte short", p => p[..^1] },
        { "truncated below the overhead", p => p[..39] },
        { "empty", _ => [] },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampered_payload_is_DecryptionFailed(string tampering, Func<byte[], byte[]> tamper)
    {
        var payload = tamper(SealOne("attack at dawn"u8.ToArray()));
        using var opener = new SessionOpener(Key);

        var error = Assert.Throws<KamuneProtocolException>(() => opener.Open(payload));

        Assert.True(error.Error == KamuneError.DecryptionFailed, tampering);
        Assert.False(opener.TryOpen(payload, new byte[64], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Wrong_key_is_DecryptionFailed()
    {
        var payload = SealOne("attack at dawn"u8.ToArray());
        var otherKey = (byte[])Key.Clone();
        otherKey[0] ^= 1;
        using var opener = new SessionOpener(otherKey);

        var error = Assert.Throws<KamuneProtocolException>(() => opener.Open(payload));

        Assert.Equal(KamuneError.DecryptionFailed, error.Error);
    }

    [Fact]
    public void Short_payload_message_says_expected_and_got()
    {
        using var opener = new SessionOpener(Key);

        var error = Assert.Throws<KamuneProtocolException>(() => opener.Open(new byte[39]));

        Assert.Contains("expected at least 40 bytes, got 39", error.Message);
    }

    [Fact]
    public void Disposed_cipher_objects_refuse_use_and_never_print_keys()
    {
        var sealer = new SessionSealer(Key, new DeterministicRandomSource(7));
        var opener = new SessionOpener(Key);
        Assert.Equal(nameof(SessionSealer), sealer.ToString());
        Assert.Equal(nameof(SessionOpener), opener.ToString());

        sealer.Dispose();
        opener.Dispose();

        Assert.Throws<ObjectDisposedException>(() => sealer.Seal([1]));
        Assert.Throws<ObjectDisposedException>(() => opener.Open(new byte[40]));
    }

    [Fact]
    public void Wrong_key_size_is_a_programmer_error()
    {
        Assert.Throws<ArgumentException>(() => new SessionSealer(new byte[16], new DeterministicRandomSource(8)));
        Assert.Throws<ArgumentException>(() => new SessionOpener(new byte[33]));
    }

    private static byte[] Flip(byte[] payload, int index)
    {
        var copy = (byte[])payload.Clone();
        copy[index] ^= 0x01;
        return copy;
    }
}

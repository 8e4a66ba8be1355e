using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kamune.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using ManagedXChaCha = Org.BouncyCastle.Crypto.Modes.XChaCha20Poly1305;
using PlatformChaCha = System.Security.Cryptography.ChaCha20Poly1305;
using XChaCha = Kamune.Crypto.XChaCha20Poly1305;

namespace Kamune.Benchmarks;

/// <summary>
/// XChaCha20-Poly1305 seal and open, no AAD, one fresh nonce per message as the session cipher uses it:
/// libsodium (the hot path) against HChaCha20 + the platform ChaCha20Poly1305 (which needs a new
/// object per nonce, because the subkey changes with every nonce) and BouncyCastle (managed).
/// </summary>
[MemoryDiagnoser]
public class XChaCha20Poly1305Benchmarks
{
    private readonly byte[] _key = Sizes.Filled(XChaCha.KeySize, 1);
    private readonly byte[] _nonce = Sizes.Filled(XChaCha.NonceSize, 2);
    private readonly byte[] _otherNonce = Sizes.Filled(XChaCha.NonceSize, 4);
    private readonly byte[] _subkey = GC.AllocateUninitializedArray<byte>(32, pinned: true);
    private readonly byte[] _ietfNonce = new byte[12];
    private readonly ManagedXChaCha _managed = new();
    private bool _useFirstNonce;
    private byte[] _plaintext = [];
    private byte[] _sealed = [];
    private byte[] _output = [];
    private byte[] _opened = [];

    [ParamsSource(nameof(AeadSizes))]
    public int Size { get; set; }

    public static IEnumerable<int> AeadSizes => Sizes.Aead;

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = Sizes.Filled(Size, 3);
        _sealed = new byte[Size + XChaCha.TagSize];
        _output = new byte[Size + XChaCha.TagSize];
        _opened = new byte[Size];
        XChaCha.Seal(_key, _nonce, _plaintext, _sealed);

        // The three implementations must agree before their speed means anything.
        SealPlatform();
        Expect.That(_output.AsSpan().SequenceEqual(_sealed), "HChaCha20 + platform ciphertext equal to libsodium's");
        SealBouncyCastle();
        Expect.That(_output.AsSpan().SequenceEqual(_sealed), "BouncyCastle ciphertext equal to libsodium's");
        Expect.That(OpenPlatform() && OpenBouncyCastle() == Size && OpenLibsodium(), "every implementation to open the libsodium ciphertext");
    }

    [Benchmark(Description = "Seal libsodium")]
    public void SealLibsodium() => XChaCha.Seal(_key, _nonce, _plaintext, _output);

    [Benchmark(Description = "Seal HChaCha20+platform")]
    public void SealPlatform()
    {
        DeriveSubkey();
        using var aead = new PlatformChaCha(_subkey);
        aead.Encrypt(_ietfNonce, _plaintext, _output.AsSpan(0, Size), _output.AsSpan(Size));
    }

    [Benchmark(Description = "Seal BouncyCastle")]
    public int SealBouncyCastle()
    {
        // BouncyCastle refuses to encrypt twice in a row under one nonce, so alternate two (the first call uses _nonce).
        _useFirstNonce = !_useFirstNonce;
        _managed.Init(true, new AeadParameters(new KeyParameter(_key), XChaCha.TagSize * 8, _useFirstNonce ? _nonce : _otherNonce));
        var written = _managed.ProcessBytes(_plaintext, _output);
        return written + _managed.DoFinal(_output.AsSpan(written));
    }

    [Benchmark(Description = "Open libsodium")]
    public bool OpenLibsodium() => XChaCha.TryOpen(_key, _nonce, _sealed, _opened);

    [Benchmark(Description = "Open HChaCha20+platform")]
    public bool OpenPlatform()
    {
        DeriveSubkey();
        using var aead = new PlatformChaCha(_subkey);
        try
        {
            aead.Decrypt(_ietfNonce, _sealed.AsSpan(0, Size), _sealed.AsSpan(Size), _opened);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    [Benchmark(Description = "Open BouncyCastle")]
    public int OpenBouncyCastle()
    {
        _managed.Init(false, new AeadParameters(new KeyParameter(_key), XChaCha.TagSize * 8, _nonce));
        var written = _managed.ProcessBytes(_sealed, _opened);
        return written + _managed.DoFinal(_opened.AsSpan(written));
    }

    // draft-irtf-cfrg-xchacha: subkey = HChaCha20(key, nonce[0..16]); IETF nonce = 0000 || nonce[16..24].
    private unsafe void DeriveSubkey()
    {
        fixed (byte* s = _subkey)
        fixed (byte* k = _key)
        fixed (byte* n = _nonce)
        {
            Sodium.crypto_core_hchacha20(s, n, k, null);
        }

        _nonce.AsSpan(16, 8).CopyTo(_ietfNonce.AsSpan(4));
    }
}

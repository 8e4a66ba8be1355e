using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Benchmarks;

/// <summary>
/// The handshake's small derivations (protocol.md "Flow" steps 3-4): HKDF-SHA512 direction key and
/// challenge token, the SHA-256 transcript hash, and 32 bytes from the system CSPRNG for scale.
/// </summary>
[MemoryDiagnoser]
public class KeyScheduleBenchmarks
{
    private const string SessionIdText = "ABCDEFGHIJKLMNOPQRSTUVWX";
    private readonly byte[] _secret = Sizes.Filled(32, 41);
    private readonly byte[] _salt = Sizes.Filled(16, 42);
    private readonly byte[] _output = new byte[32];
    private byte[] _transcriptHash = [];
    private Handshake _request = null!;
    private Handshake _response = null!;

    [GlobalSetup]
    public void Setup()
    {
        _request = new Handshake { Key = ByteString.CopyFrom(Sizes.Filled(1184, 43)), Salt = ByteString.CopyFrom(_salt), SessionKey = SessionIdText[..12] };
        _response = new Handshake { Key = ByteString.CopyFrom(Sizes.Filled(1088, 44)), Salt = ByteString.CopyFrom(Sizes.Filled(16, 45)), SessionKey = SessionIdText[12..] };
        _transcriptHash = KeySchedule.TranscriptHash(_request, _response);
    }

    [Benchmark(Description = "HKDF direction key")]
    public void DirectionKey() => KeySchedule.DirectionKey(_secret, _salt, SessionIdText, Direction.ClientToServer, _output);

    [Benchmark(Description = "HKDF challenge token")]
    public void ChallengeToken() => KeySchedule.ChallengeToken(_secret, SessionIdText, Direction.ClientToServer, _transcriptHash, _output);

    [Benchmark(Description = "Transcript hash")]
    public byte[] TranscriptHash() => KeySchedule.TranscriptHash(_request, _response);

    [Benchmark(Description = "System CSPRNG 32 B")]
    public void SystemRandom32() => RandomNumberGenerator.Fill(_output);
}

using System.Text;
using Kamune.Protocol;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Kamune.Tests.Handshake;

/// <summary>The platform HKDF-SHA512 the key schedule uses, against BouncyCastle's HkdfBytesGenerator.</summary>
public class KeyScheduleDifferentialTests
{
    private static byte[] BouncyHkdf(byte[] ikm, byte[] salt, byte[] info)
    {
        var generator = new HkdfBytesGenerator(new Sha512Digest());
        generator.Init(new HkdfParameters(ikm, salt, info));
        var output = new byte[KeySchedule.KeySize];
        generator.GenerateBytes(output, 0, output.Length);
        return output;
    }

    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    [InlineData(13UL)]
    public void Every_derivation_agrees_with_BouncyCastle_HKDF_SHA512(ulong seed)
    {
        var random = new DeterministicRandomSource(seed);
        var secret = new byte[KeySchedule.KeySize];
        var salt = new byte[KeySchedule.SaltSize];
        var transcript = new byte[KeySchedule.TranscriptHashSize];
        random.Fill(secret);
        random.Fill(salt);
        random.Fill(transcript);
        var sessionId = SessionId.NewHalf(random) + SessionId.NewHalf(random);

        foreach (var direction in new[] { Direction.ClientToServer, Direction.ServerToClient })
        {
            var key = new byte[KeySchedule.KeySize];
            KeySchedule.DirectionKey(secret, salt, sessionId, direction, key);
            Assert.Equal(BouncyHkdf(secret, salt, Encoding.UTF8.GetBytes(KeySchedule.DirectionLabel(direction) + sessionId)), key);

            var token = new byte[KeySchedule.KeySize];
            KeySchedule.ChallengeToken(secret, sessionId, direction, transcript, token);
            var info = Encoding.UTF8.GetBytes(sessionId + "|" + KeySchedule.DirectionLabel(direction) + "|").Concat(transcript).ToArray();
            Assert.Equal(BouncyHkdf(secret, [], info), token);
        }

        var root = new byte[KeySchedule.KeySize];
        KeySchedule.ResumptionRoot(secret, sessionId, root);
        Assert.Equal(BouncyHkdf(secret, Encoding.UTF8.GetBytes(sessionId), Encoding.UTF8.GetBytes("kamune/resumption-root/v1")), root);
        var resumption = new byte[KeySchedule.KeySize];
        KeySchedule.ResumptionToken(root, 263, resumption);
        Assert.Equal(BouncyHkdf(root, [], [.. Encoding.UTF8.GetBytes("kamune/resumption/token/v1/"), 0, 0, 1, 7]), resumption);
    }

    [Fact]
    public void The_two_directions_get_different_keys_from_the_same_secret_and_salt()
    {
        var secret = new byte[KeySchedule.KeySize];
        var salt = new byte[KeySchedule.SaltSize];
        var c2s = new byte[KeySchedule.KeySize];
        var s2c = new byte[KeySchedule.KeySize];

        KeySchedule.DirectionKey(secret, salt, "ABCDEFGHIJKLMNOPQRSTUVWX", Direction.ClientToServer, c2s);
        KeySchedule.DirectionKey(secret, salt, "ABCDEFGHIJKLMNOPQRSTUVWX", Direction.ServerToClient, s2c);

        Assert.NotEqual(c2s, s2c);
    }

    [Fact]
    public void Wrong_input_sizes_are_programmer_errors()
    {
        var key = new byte[KeySchedule.KeySize];
        Assert.Throws<ArgumentException>(() => KeySchedule.DirectionKey(new byte[31], new byte[16], "A", Direction.ClientToServer, key));
        Assert.Throws<ArgumentException>(() => KeySchedule.DirectionKey(new byte[32], new byte[15], "A", Direction.ClientToServer, key));
        Assert.Throws<ArgumentException>(() => KeySchedule.ChallengeToken(new byte[32], "A", Direction.ClientToServer, new byte[31], key));
        Assert.Throws<ArgumentException>(() => KeySchedule.ResumptionToken(new byte[16], 0, key));
        Assert.Throws<ArgumentException>(() => KeySchedule.ResumptionToken(new byte[32], 0, new byte[16]));
        Assert.Throws<ArgumentException>(() => KeySchedule.ResumptionRoot(new byte[32], "A", new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySchedule.DirectionLabel((Direction)2));
    }
}

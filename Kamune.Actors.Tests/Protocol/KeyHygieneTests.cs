using System.Runtime.InteropServices;
using Kamune.Crypto;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Protocol;

/// <summary>
/// docs/security.md "Key hygiene", checked buffer by buffer: each secret lives in one pinned buffer the owner wipes,
/// and nothing on the way makes a copy of it. The buffers are reached through internal accessors.
/// </summary>
public sealed class KeyHygieneTests
{
    public static TheoryData<string> KeyPairs => ["X-Wing", "ML-KEM-768", "Ed25519 identity"];

    [Theory]
    [MemberData(nameof(KeyPairs))]
    public void Key_pair_keeps_its_secret_key_pinned_and_zeroes_it_on_dispose(string kind)
    {
        var (pair, secret) = Generate(kind, new DeterministicRandomSource(1));
        AssertPinned(secret);
        Assert.Contains(secret, b => b != 0);

        pair.Dispose();
        AssertAllZero(secret);
    }

    [Fact]
    public void Hpke_contexts_keep_key_base_nonce_and_exporter_secret_pinned_and_zero_them_on_dispose()
    {
        var random = new DeterministicRandomSource(4);
        using var recipientKey = XWingKeyPair.Generate(random);
        var sender = Hpke.SetupBaseSender(recipientKey.PublicKey.Span, random, out var enc);
        var recipient = Hpke.SetupBaseRecipient(enc, recipientKey);

        foreach (var keys in new[] { sender.State.Keys, recipient.State.Keys })
        {
            foreach (var buffer in new[] { keys.Key, keys.BaseNonce, keys.ExporterSecret })
            {
                AssertPinned(buffer);
            }

            // The AEAD took the key at construction; our copy is already gone. The other two are needed until the end.
            AssertAllZero(keys.Key);
            Assert.Contains(keys.BaseNonce, b => b != 0);
            Assert.Contains(keys.ExporterSecret, b => b != 0);
        }

        sender.Dispose();
        recipient.Dispose();
        foreach (var keys in new[] { sender.State.Keys, recipient.State.Keys })
        {
            AssertAllZero(keys.BaseNonce);
            AssertAllZero(keys.ExporterSecret);
        }
    }

    [Fact]
    public void Exchange_wipes_each_side_s_x_wing_key_once_its_tunnel_exists_and_the_tunnels_wipe_their_keys_on_dispose()
    {
        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(6));
        using var responder = new ExchangeResponder(new DeterministicRandomSource(7));
        var initiatorKey = initiator.KeyPair!.SecretKeyBuffer;
        var hello = responder.OnInitiatorKey(initiator.FirstFrame());
        var responderKey = responder.KeyPair!.SecretKeyBuffer;

        var (initiatorTunnel, encI) = initiator.OnResponderHello(hello);
        AssertAllZero(initiatorKey);
        var responderTunnel = responder.OnInitiatorEnc(encI);
        AssertAllZero(responderKey);

        var keys = initiatorTunnel.Keys.Concat(responderTunnel.Keys).ToArray();
        Assert.All(keys, k => Assert.Contains(k.BaseNonce, b => b != 0));
        initiatorTunnel.Dispose();
        responderTunnel.Dispose();
        Assert.All(keys, k =>
        {
            AssertAllZero(k.Key);
            AssertAllZero(k.BaseNonce);
            AssertAllZero(k.ExporterSecret);
        });
    }

    [Fact]
    public void Pem_decoder_finds_the_seed_inside_the_der_buffer_it_wipes_and_copies_it_nowhere_else()
    {
        using var pair = IdentityKeyPair.Generate(new DeterministicRandomSource(5));
        var pem = pair.ExportPkcs8Pem();
        var der = Convert.FromBase64String(pem.Split('\n')[1]);

        IdentityPem.ReadOneAsymmetricKey(der, out var seed);

        Assert.True(MemoryMarshal.TryGetArray(seed, out var segment));
        Assert.Same(der, segment.Array);
        Assert.Equal(pair.SecretKeyBuffer.AsSpan(0, IdentityPem.SeedLength), seed.Span);
    }

    [Fact]
    public void Challenge_phase_sends_its_token_from_its_own_pinned_buffer_and_wipes_it_on_dispose()
    {
        var token = Filled(32, 7);
        var phase = new ChallengePhase(SessionRole.Initiator, token);
        var opening = Assert.Single(phase.Begin());
        Assert.Equal(token, opening.Value.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(opening.Value, out var held));
        AssertPinned(held.Array!);

        phase.Dispose();
        AssertAllZero(opening.Value.Span);
    }

    [Fact]
    public void Challenge_phase_keeps_received_tokens_out_of_the_messages_it_returns_and_wipes_them_on_dispose()
    {
        var peerToken = Filled(32, 9);
        var phase = new ChallengePhase(SessionRole.Responder, Filled(32, 5));
        phase.Begin();

        var travelling = phase.Keep(new InboundMessage(Route.SendChallenge, 1, DateTimeOffset.UnixEpoch, peerToken));
        Assert.True(travelling.Value.IsEmpty);
        Assert.Equal((Route.SendChallenge, 1UL), (travelling.Route, travelling.Sequence));

        var step = phase.OnAccepted(travelling);
        Assert.Equal([Route.VerifyChallenge, Route.SendChallenge], step.Send.Select(s => s.Route));
        Assert.Equal(Filled(32, 9), step.Send[0].Value.ToArray());

        phase.Dispose();
        AssertAllZero(peerToken);
        Assert.All(step.Send, s => AssertAllZero(s.Value.Span));
    }

    [Fact]
    public void Challenge_phase_refuses_an_accepted_message_it_never_kept()
    {
        using var phase = new ChallengePhase(SessionRole.Responder, Filled(32, 5));
        phase.Begin();
        phase.Keep(new InboundMessage(Route.SendChallenge, 1, DateTimeOffset.UnixEpoch, Filled(32, 9)));

        var other = new InboundMessage(Route.SendChallenge, 2, DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty);
        Assert.Throws<InvalidOperationException>(() => phase.OnAccepted(other));
    }

    [Fact]
    public void Resumption_keys_keep_their_root_pinned_derive_tokens_into_the_caller_s_buffer_and_zero_the_root_on_dispose()
    {
        var keys = ResumptionKeys.Derive(Filled(32, 3), "ABCDEFGHIJKLMNOPQRSTUVWX");
        AssertPinned(keys.RootBuffer);
        Assert.Contains(keys.RootBuffer, b => b != 0);
        Span<byte> token = stackalloc byte[KeySchedule.KeySize];
        keys.Token(0, token);
        Assert.True(token.IndexOfAnyExcept((byte)0) >= 0);

        keys.Dispose();
        AssertAllZero(keys.RootBuffer);
        Assert.Throws<ObjectDisposedException>(() => keys.Token(1, new byte[KeySchedule.KeySize]));
    }

    private static (IDisposable Pair, byte[] Secret) Generate(string kind, IRandomSource random)
    {
        switch (kind)
        {
            case "X-Wing":
                var xwing = XWingKeyPair.Generate(random);
                return (xwing, xwing.SecretKeyBuffer);
            case "ML-KEM-768":
                var mlkem = MlKem768KeyPair.Generate(random);
                return (mlkem, mlkem.DecapsulationKeyBuffer);
            default:
                var identity = IdentityKeyPair.Generate(random);
                return (identity, identity.SecretKeyBuffer);
        }
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    // An array on the pinned object heap reports the oldest generation from birth; a small ordinary array reports 0
    // until it has survived two collections, so right after creation the generation tells the two apart.
    private static void AssertPinned(byte[] buffer) => Assert.Equal(GC.MaxGeneration, GC.GetGeneration(buffer));

    private static void AssertAllZero(ReadOnlySpan<byte> buffer) => Assert.Equal(-1, buffer.IndexOfAnyExcept((byte)0));
}

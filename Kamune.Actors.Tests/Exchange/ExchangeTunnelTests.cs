using Kamune.Protocol;

namespace Kamune.Tests.Exchange;

public class ExchangeTunnelTests
{
    private static (ExchangeTunnel Initiator, ExchangeTunnel Responder) Exchange(ulong seed)
    {
        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(seed));
        using var responder = new ExchangeResponder(new DeterministicRandomSource(seed + 1000));
        var hello = responder.OnInitiatorKey(initiator.FirstFrame());
        var (initiatorTunnel, encI) = initiator.OnResponderHello(hello);
        return (initiatorTunnel, responder.OnInitiatorEnc(encI));
    }

    [Fact]
    public void In_memory_exchange_carries_messages_both_ways_in_order()
    {
        var (i, r) = Exchange(1);
        using (i)
        using (r)
        {
            for (var n = 0; n < 5; n++)
            {
                var toResponder = System.Text.Encoding.UTF8.GetBytes($"i->r {n}");
                var toInitiator = System.Text.Encoding.UTF8.GetBytes($"r->i {n}");
                var sealedForResponder = i.Seal(toResponder);
                Assert.Equal(toResponder.Length + ExchangeTunnel.Overhead, sealedForResponder.Length);
                Assert.Equal(toResponder, r.Open(sealedForResponder));
                Assert.Equal(toInitiator, i.Open(r.Seal(toInitiator)));
            }
        }
    }

    [Fact]
    public void A_tunnel_cannot_open_its_own_frames()
    {
        var (i, r) = Exchange(2);
        using (i)
        using (r)
        {
            var ex = Assert.Throws<KamuneProtocolException>(() => i.Open(i.Seal("echo"u8)));
            Assert.Equal(KamuneError.TunnelOpenFailed, ex.Error);
        }
    }

    [Fact]
    public void Tampered_and_out_of_order_frames_fail_to_open()
    {
        var (i, r) = Exchange(3);
        using (i)
        using (r)
        {
            var first = i.Seal("one"u8);
            var second = i.Seal("two"u8);
            Assert.Equal(KamuneError.TunnelOpenFailed, Assert.Throws<KamuneProtocolException>(() => r.Open(second)).Error);
            var tampered = (byte[])first.Clone();
            tampered[^1] ^= 0x80;
            Assert.Equal(KamuneError.TunnelOpenFailed, Assert.Throws<KamuneProtocolException>(() => r.Open(tampered)).Error);
            Assert.False(r.TryOpen(first[..^1], new byte[first.Length], out _));
            Assert.Equal("one"u8.ToArray(), r.Open(first));
            var buffer = new byte[16];
            Assert.True(r.TryOpen(second, buffer, out var written));
            Assert.Equal("two"u8.ToArray(), buffer[..written]);
        }
    }

    [Fact]
    public void Same_seeds_give_the_same_exchange()
    {
        var (i1, r1) = Exchange(4);
        var (i2, r2) = Exchange(4);
        using (i1)
        using (r1)
        using (i2)
        using (r2)
        {
            Assert.Equal(i1.Seal("x"u8), i2.Seal("x"u8));
        }
    }

    [Fact]
    public void Responder_rejects_a_malformed_initiator_key_and_enc()
    {
        using var responder = new ExchangeResponder(new DeterministicRandomSource(5));
        Assert.Equal(KamuneError.MalformedExchange,
            Assert.Throws<KamuneProtocolException>(() => responder.OnInitiatorKey(new byte[1215])).Error);

        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(6));
        responder.OnInitiatorKey(initiator.FirstFrame());
        Assert.Equal(KamuneError.MalformedExchange,
            Assert.Throws<KamuneProtocolException>(() => responder.OnInitiatorEnc(new byte[1121])).Error);
    }

    [Fact]
    public void Initiator_rejects_a_malformed_responder_hello()
    {
        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(7));
        initiator.FirstFrame();
        Assert.Equal(KamuneError.MalformedExchange,
            Assert.Throws<KamuneProtocolException>(() => initiator.OnResponderHello(new byte[2337])).Error);

        // Right shape, but the responder key's ML-KEM part is not a valid encapsulation key.
        var hello = ExchangeMessages.EncodeResponderHello(new byte[1120], Enumerable.Repeat((byte)0xff, 1216).ToArray());
        Assert.Equal(KamuneError.MalformedExchange,
            Assert.Throws<KamuneProtocolException>(() => initiator.OnResponderHello(hello)).Error);
    }

    [Fact]
    public void Calls_out_of_turn_are_programming_errors()
    {
        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(8));
        Assert.Throws<InvalidOperationException>(() => initiator.OnResponderHello(new byte[2338]));
        var firstFrame = initiator.FirstFrame();
        Assert.Throws<InvalidOperationException>(() => initiator.FirstFrame());

        using var responder = new ExchangeResponder(new DeterministicRandomSource(9));
        Assert.Throws<InvalidOperationException>(() => responder.OnInitiatorEnc(new byte[1120]));
        var hello = responder.OnInitiatorKey(firstFrame);
        Assert.Throws<InvalidOperationException>(() => responder.OnInitiatorKey(new byte[1216]));
        var (tunnel, encI) = initiator.OnResponderHello(hello);
        using var _ = tunnel;
        Assert.Throws<InvalidOperationException>(() => initiator.OnResponderHello(hello));
        using var responderTunnel = responder.OnInitiatorEnc(encI);
        Assert.Throws<InvalidOperationException>(() => responder.OnInitiatorEnc(encI));
    }
}

using Kamune.Crypto;

namespace Kamune.Protocol;

/// <summary>
/// The HPKE tunnel that carries Introduction, Handshake and the Challenge exchange (protocol.md
/// "Layers", 3): each frame payload is one Seal of the inner payload with this side's sender
/// context; incoming payloads are opened in order with the recipient context.
/// </summary>
internal sealed class ExchangeTunnel : IDisposable
{
    private readonly HpkeSenderContext _sender;
    private readonly HpkeRecipientContext _recipient;

    internal ExchangeTunnel(HpkeSenderContext sender, HpkeRecipientContext recipient)
    {
        _sender = sender;
        _recipient = recipient;
    }

    /// <summary>How much longer a sealed frame is than its inner payload.</summary>
    public const int Overhead = Hpke.Overhead;

    public int Seal(ReadOnlySpan<byte> inner, Span<byte> frame) => _sender.Seal(inner, frame);

    public byte[] Seal(ReadOnlySpan<byte> inner) => _sender.Seal(inner);

    public bool TryOpen(ReadOnlySpan<byte> frame, Span<byte> inner, out int written) =>
        _recipient.TryOpen(frame, inner, out written);

    /// <summary>Opens the next incoming frame or throws <see cref="KamuneError.TunnelOpenFailed"/>.</summary>
    public byte[] Open(ReadOnlySpan<byte> frame) => _recipient.Open(frame);

    /// <summary>Both contexts' key buffers, for the key-hygiene tests: zero after Dispose.</summary>
    internal IReadOnlyList<HpkeKeys> Keys => [_sender.State.Keys, _recipient.State.Keys];

    public void Dispose()
    {
        _sender.Dispose();
        _recipient.Dispose();
    }

    public override string ToString() => $"ExchangeTunnel(sent {_sender.Sequence}, received {_recipient.Sequence})";
}

/// <summary>
/// The dialer's side of the exchange, pure (no I/O): <see cref="FirstFrame"/> sends its public key,
/// <see cref="OnResponderHello"/> takes frame 2 and returns the tunnel and frame 3 (enc_I).
/// The X-Wing key pair is wiped as soon as the tunnel exists.
/// </summary>
internal sealed class ExchangeInitiator : IDisposable
{
    private readonly IRandomSource _random;
    private XWingKeyPair? _keyPair;
    private bool _sentKey;

    public ExchangeInitiator(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
        _keyPair = XWingKeyPair.Generate(random);
    }

    /// <summary>Frame 1: this side's X-Wing public key (1216 bytes).</summary>
    public byte[] FirstFrame()
    {
        if (_keyPair is null || _sentKey)
        {
            throw new InvalidOperationException("Exchange initiator: expected FirstFrame once, at the start; got a repeat call.");
        }

        _sentKey = true;
        return _keyPair.PublicKey.ToArray();
    }

    /// <summary>The X-Wing key pair until the tunnel exists, for the key-hygiene tests.</summary>
    internal XWingKeyPair? KeyPair => _keyPair;

    public (ExchangeTunnel Tunnel, byte[] ThirdFrame) OnResponderHello(ReadOnlySpan<byte> frame)
    {
        if (_keyPair is null || !_sentKey)
        {
            throw new InvalidOperationException(
                "Exchange initiator: expected OnResponderHello once, after FirstFrame; got a call out of turn.");
        }

        // The frame is parsed from a copy so the caller's buffer can be reused right away.
        var (encR, responderKey) = ExchangeMessages.ParseResponderHello(frame.ToArray());
        XWing.ValidatePublicKey(responderKey.Span);
        var recipient = Hpke.SetupBaseRecipient(encR.Span, _keyPair);
        try
        {
            var sender = Hpke.SetupBaseSender(responderKey.Span, _random, out var encI);
            Dispose();
            return (new ExchangeTunnel(sender, recipient), encI);
        }
        catch
        {
            recipient.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _keyPair?.Dispose();
        _keyPair = null;
    }

    public override string ToString() => _keyPair is null ? "ExchangeInitiator(done)" : "ExchangeInitiator";
}

/// <summary>
/// The listener's side of the exchange, pure (no I/O). Like the Go reference, it encapsulates to
/// the initiator's key before generating its own key pair, so a scripted random source replays
/// exactly the same draws.
/// </summary>
internal sealed class ExchangeResponder : IDisposable
{
    private readonly IRandomSource _random;
    private XWingKeyPair? _keyPair;
    private HpkeSenderContext? _sender;
    private bool _done;

    public ExchangeResponder(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
    }

    /// <summary>Takes frame 1 (I's public key) and returns frame 2 (the responder hello).</summary>
    public byte[] OnInitiatorKey(ReadOnlySpan<byte> frame)
    {
        if (_sender is not null || _done)
        {
            throw new InvalidOperationException("Exchange responder: expected OnInitiatorKey once, first; got a repeat call.");
        }

        ExchangeMessages.ValidateInitiatorKey(frame);
        _sender = Hpke.SetupBaseSender(frame, _random, out var encR);
        _keyPair = XWingKeyPair.Generate(_random);
        return ExchangeMessages.EncodeResponderHello(encR, _keyPair.PublicKey.Span);
    }

    /// <summary>The X-Wing key pair from frame 1 until the tunnel exists, for the key-hygiene tests.</summary>
    internal XWingKeyPair? KeyPair => _keyPair;

    /// <summary>Takes frame 3 (enc_I) and returns the tunnel.</summary>
    public ExchangeTunnel OnInitiatorEnc(ReadOnlySpan<byte> frame)
    {
        if (_sender is null || _keyPair is null)
        {
            throw new InvalidOperationException(
                "Exchange responder: expected OnInitiatorEnc once, after OnInitiatorKey; got a call out of turn.");
        }

        ExchangeMessages.ValidateInitiatorEnc(frame);
        var recipient = Hpke.SetupBaseRecipient(frame, _keyPair);
        var tunnel = new ExchangeTunnel(_sender, recipient);
        _sender = null;
        _done = true;
        Dispose();
        return tunnel;
    }

    public void Dispose()
    {
        _keyPair?.Dispose();
        _keyPair = null;
        _sender?.Dispose();
        _sender = null;
    }

    public override string ToString() => _done ? "ExchangeResponder(done)" : "ExchangeResponder";
}

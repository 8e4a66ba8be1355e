using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Tests.Runtime;
using Kamune.Wire;

namespace Kamune.Tests.Adversarial;

/// <summary>Where <see cref="ScriptedPeer.Flip"/> flips one bit of a session message (protocol.md "Layers").</summary>
public enum SessionLayer
{
    /// <summary>The XChaCha20-Poly1305 payload (layer 4).</summary>
    Ciphertext,
    /// <summary>SignedTransport.Signature (layer 5).</summary>
    Signature,
    /// <summary>SignedTransport.Metadata, covered by the signature (layer 5).</summary>
    Metadata,
    /// <summary>SignedTransport.Data, the BytesValue (layer 6), covered by the signature.</summary>
    Data,
}

/// <summary>
/// A Kamune initiator on a raw socket, for tests that attack a node: it runs the library's own pure phases
/// (exchange, introduction, handshake, challenges, session transport) step by step, so a test can stop at any
/// step or send a crafted frame in place of an honest one. It holds no protocol logic of its own.
/// </summary>
internal sealed class ScriptedPeer : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly IClock _clock = SystemClock.Instance;
    private readonly IRandomSource _random;
    private ExchangeTunnel? _tunnel;
    private PublicIdentity? _remote;
    private HandshakeResult? _handshake;
    private SessionTransport? _session;
    private ulong _lastSent;

    private ScriptedPeer(TcpClient client, IdentityKeyPair identity, ulong seed)
    {
        Client = client;
        Identity = identity;
        _random = new DeterministicRandomSource(seed);
    }

    public TcpClient Client { get; }

    public IdentityKeyPair Identity { get; }

    /// <summary>Writes every byte in its own TCP segment (a slow but honest peer), pausing briefly every 256 bytes.</summary>
    public bool Dribble { get; set; }

    public string? SessionId => _handshake?.SessionId;

    /// <summary>The payload of the last session frame written, for replays.</summary>
    public byte[] LastFrame { get; private set; } = [];

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>; the identity is the caller's and outlives the peer.</summary>
    public static async Task<ScriptedPeer> ConnectAsync(int port, IdentityKeyPair identity, ulong seed)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new ScriptedPeer(client, identity, seed);
    }

    // ---- Bytes and frames (protocol.md layers 1-2) ----------------------------------------------------------------

    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        var stream = Client.GetStream();
        if (!Dribble)
        {
            await stream.WriteAsync(bytes);
            return;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            await stream.WriteAsync(bytes.Slice(i, 1));
            if (i % 256 == 255)
            {
                await Task.Delay(1);
            }
        }
    }

    public Task WriteFrameAsync(ReadOnlySpan<byte> payload) => WriteRawAsync(FrameCodec.Encode(payload));

    public async Task<byte[]> ReadFrameAsync() =>
        await RawFrames.ReadAsync(Client.GetStream()).WaitAsync(ReadTimeout)
        ?? throw new IOException("The node closed the connection where a frame was expected.");

    /// <summary>True once the node closed this socket (FIN or reset) within <paramref name="timeout"/>.</summary>
    public Task<bool> ClosedByNodeAsync(TimeSpan timeout) => RawFrames.ClosedWithinAsync(Client, timeout);

    /// <summary>The process dies: the socket is reset (RST), not closed gracefully.</summary>
    public void Kill()
    {
        Client.LingerState = new LingerOption(true, 0);
        Client.Close();
    }

    public void Dispose()
    {
        Client.Dispose();
        _tunnel?.Dispose();
        _session?.Dispose();
        _handshake?.Dispose();
    }

    // ---- Honest steps (protocol.md "Flow" steps 1-4) ---------------------------------------------------------------

    /// <summary>Step 1: the three raw exchange frames; afterwards the tunnel is up.</summary>
    public async Task ExchangeAsync()
    {
        using var exchange = new ExchangeInitiator(_random);
        await WriteFrameAsync(exchange.FirstFrame());
        var (tunnel, third) = exchange.OnResponderHello(await ReadFrameAsync());
        _tunnel = tunnel;
        await WriteFrameAsync(third);
    }

    /// <summary>Step 2: our Introduce (announcing <paramref name="appVersion"/>), then the node's, verified.</summary>
    public async Task IntroduceAsync(string appVersion = "0.7.0")
    {
        await SendInTunnelAsync(Introduce(appVersion));
        _remote = IntroductionPhase.ReadIntroduce(Tunnel.Open(await ReadFrameAsync()), ProtocolVersion.Current).Identity;
    }

    /// <summary>Step 3: REQUEST_HANDSHAKE, then the node's ACCEPT_HANDSHAKE; the session keys exist afterwards.</summary>
    public async Task HandshakeAsync()
    {
        using var handshake = new HandshakeInitiator(Identity, Remote, _clock, _random);
        await SendInTunnelAsync(handshake.CreateRequest());
        _handshake = handshake.OnResponse(Tunnel.Open(await ReadFrameAsync()));
        // The transport only opens; sealing is done below so a test chooses the sequence and the signer.
        _session = new SessionTransport(_handshake.SessionId, Identity, Remote, _handshake.Sealer, _handshake.Opener, _clock, _random);
    }

    /// <summary>Step 4: both challenges, session-encrypted inside the tunnel; then the tunnel is dropped.</summary>
    public async Task ChallengeAsync()
    {
        using var challenge = new ChallengePhase(SessionRole.Initiator, _handshake!.ChallengeToken);
        foreach (var outbound in challenge.Begin())
        {
            await SendInTunnelAsync(SealSession(outbound.Route, outbound.Value.Span));
        }

        var received = new ReceiveSequence();
        while (!challenge.Completed)
        {
            var inbound = Session.Open(Tunnel.Open(await ReadFrameAsync()));
            received.Accept(inbound.Sequence);
            foreach (var outbound in challenge.OnMessage(inbound.Route, inbound.Value).Send)
            {
                await SendInTunnelAsync(SealSession(outbound.Route, outbound.Value.Span));
            }
        }

        _tunnel!.Dispose();
        _tunnel = null;
    }

    /// <summary>Steps 1-4: the node now holds an established session with this peer.</summary>
    public async Task EstablishAsync()
    {
        await ExchangeAsync();
        await IntroduceAsync();
        await HandshakeAsync();
        await ChallengeAsync();
    }

    // ---- Crafted messages ----------------------------------------------------------------------------------------

    public Task SendInTunnelAsync(byte[] inner) => WriteFrameAsync(Tunnel.Seal(inner));

    public byte[] SealInTunnel(byte[] inner) => Tunnel.Seal(inner);

    /// <summary>This peer's honest Introduce envelope, announcing <paramref name="appVersion"/>.</summary>
    public byte[] Introduce(string appVersion = "0.7.0") =>
        IntroductionPhase.CreateIntroduce(Identity, Identity.PublicIdentity.DefaultName, appVersion, _clock, _random);

    /// <summary>An Introduce carrying this peer's key but signed by <paramref name="signer"/>: a valid signature, wrong key.</summary>
    public byte[] IntroduceSignedBy(IdentityKeyPair signer)
    {
        var introduce = new Introduce
        {
            Name = Identity.PublicIdentity.DefaultName,
            PublicKey = ByteString.CopyFrom(Identity.PublicIdentity.Pkix.Span),
            AppVersion = ProtocolVersion.Current.ToString(),
        };
        return Envelope.Encode(signer, introduce.ToByteArray(), MetadataFactory.Introduce(_clock), _random);
    }

    /// <summary>A signed envelope of <paramref name="route"/> with Sequence 0, as the handshake phase sends them.</summary>
    public byte[] HandshakeEnvelope(Route route) =>
        Envelope.Encode(Identity, [], MetadataFactory.Handshake(route, _clock, _random), _random);

    /// <summary>
    /// One session payload (protocol.md step 5): BytesValue, Metadata with the next sequence number (or
    /// <paramref name="sequence"/>), signed by this peer (or <paramref name="signer"/>), padded and encrypted.
    /// <paramref name="flip"/> flips one bit of the chosen layer before it goes out.
    /// </summary>
    public byte[] SealSession(Route route, ReadOnlySpan<byte> value, ulong? sequence = null, IdentityKeyPair? signer = null, SessionLayer? flip = null)
    {
        var number = sequence ?? ++_lastSent;
        var data = new BytesValue { Value = ByteString.CopyFrom(value) }.ToByteArray();
        var envelope = Envelope.Encode(signer ?? Identity, data, MetadataFactory.Session(route, number, _clock, _random), _random);
        if (flip is SessionLayer.Signature or SessionLayer.Metadata or SessionLayer.Data)
        {
            var transport = SignedTransport.Parser.ParseFrom(envelope);
            switch (flip)
            {
                case SessionLayer.Signature:
                    transport.Signature = Flip(transport.Signature);
                    break;
                case SessionLayer.Metadata:
                    transport.Metadata = Flip(transport.Metadata);
                    break;
                default:
                    transport.Data = Flip(transport.Data);
                    break;
            }

            envelope = transport.ToByteArray();
        }

        var payload = _handshake!.Sealer.Seal(envelope);
        if (flip == SessionLayer.Ciphertext)
        {
            payload[payload.Length / 2] ^= 0x10;
        }

        return payload;
    }

    /// <summary>Seals and writes one established-session frame (outside the tunnel).</summary>
    public async Task SendAsync(Route route, ReadOnlyMemory<byte> value, ulong? sequence = null, IdentityKeyPair? signer = null, SessionLayer? flip = null)
    {
        LastFrame = SealSession(route, value.Span, sequence, signer, flip);
        await WriteFrameAsync(LastFrame);
    }

    /// <summary>Like <see cref="SendAsync"/>, with Data as given: for routes whose inner message is not a BytesValue (SESSION_DATA).</summary>
    public async Task SendDataAsync(Route route, byte[] data)
    {
        var envelope = Envelope.Encode(Identity, data, MetadataFactory.Session(route, ++_lastSent, _clock, _random), _random);
        LastFrame = _handshake!.Sealer.Seal(envelope);
        await WriteFrameAsync(LastFrame);
    }

    /// <summary>The next established-session message from the node, decrypted and verified.</summary>
    public async Task<InboundMessage> ReceiveAsync() => Session.Open(await ReadFrameAsync());

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static ByteString Flip(ByteString field)
    {
        var bytes = field.ToByteArray();
        bytes[bytes.Length / 2] ^= 0x01;
        return ByteString.CopyFrom(bytes);
    }

    private ExchangeTunnel Tunnel => _tunnel ?? throw new InvalidOperationException("ScriptedPeer: expected the exchange tunnel; run ExchangeAsync first.");

    private PublicIdentity Remote => _remote ?? throw new InvalidOperationException("ScriptedPeer: expected the node's identity; run IntroduceAsync first.");

    private SessionTransport Session => _session ?? throw new InvalidOperationException("ScriptedPeer: expected session keys; run HandshakeAsync first.");
}

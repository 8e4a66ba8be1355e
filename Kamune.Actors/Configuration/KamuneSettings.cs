using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Configuration;
using Kamune.Protocol;

namespace Kamune;

/// <summary>
/// The <c>kamune { }</c> section, read once into typed values by <see cref="Create(Config)"/>. Every default lives in
/// the embedded hocon/reference.conf; a node's own config only overrides. A class with get-only properties (not a
/// positional record), so a setting added later is not a breaking change. <see cref="IdleTimeout"/> zero means off.
/// </summary>
public sealed class KamuneSettings
{
    private KamuneSettings(Config k)
    {
        Name = k.GetString("name", string.Empty);
        HandshakeTimeout = k.GetTimeSpan("handshake-timeout");
        IdleTimeout = OptionalInterval(k, "idle-timeout") ?? TimeSpan.Zero;
        WriteTimeout = k.GetTimeSpan("write-timeout");
        DialTimeout = k.GetTimeSpan("dial-timeout");
        KeepAliveInterval = OptionalInterval(k, "keep-alive-interval");
        MaxFrameLength = k.GetInt("max-frame-length");
        InboundBuffer = k.GetInt("inbound-buffer");
        OutboundBuffer = k.GetInt("outbound-buffer");
        SendWindow = k.GetInt("send-window");
        MaxConcurrentHandshakes = k.GetInt("max-concurrent-handshakes");
        MaxConnectionsPerAddress = k.GetInt("max-connections-per-address");
        ListenBacklog = k.GetInt("listen-backlog");
        ShutdownTimeout = k.GetTimeSpan("shutdown-timeout");
        DeliveryWindow = k.GetInt("delivery-window");
        AcceptRatePerAddress = k.GetDouble("accept-rate-per-address");
        AcceptBurstPerAddress = k.GetInt("accept-burst-per-address");
        RequestTimeout = k.GetTimeSpan("request-timeout");
        OutboundMaxFrames = k.GetInt("outbound-max-frames");
        OutboundMaxBytes = k.GetByteSize("outbound-max-bytes") ?? 0;
        Dispatcher = k.GetString("dispatcher", string.Empty);
    }

    /// <summary>kamune.name: the name announced in Introduce; empty means the identity's fingerprint.</summary>
    public string Name { get; }

    /// <summary>kamune.handshake-timeout: from TCP connect to Established.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>kamune.idle-timeout: no frame from the peer for this long ends the session; zero is off.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>kamune.write-timeout: how long a frame may wait for the socket before the connection is aborted.</summary>
    public TimeSpan WriteTimeout { get; }

    /// <summary>kamune.dial-timeout: how long a dial may take to connect.</summary>
    public TimeSpan DialTimeout { get; }

    /// <summary>kamune.keep-alive-interval: null is off.</summary>
    public TimeSpan? KeepAliveInterval { get; }

    /// <summary>kamune.max-frame-length: the largest frame payload accepted, in bytes.</summary>
    public int MaxFrameLength { get; }

    /// <summary>kamune.inbound-buffer: frames between the socket reader and the session.</summary>
    public int InboundBuffer { get; }

    /// <summary>kamune.outbound-buffer: frames between the session and the socket writer.</summary>
    public int OutboundBuffer { get; }

    /// <summary>kamune.send-window: a session's outbound budget, in frames.</summary>
    public int SendWindow { get; }

    /// <summary>kamune.max-concurrent-handshakes: accepted connections not yet established; 0 is no limit.</summary>
    public int MaxConcurrentHandshakes { get; }

    /// <summary>kamune.max-connections-per-address: open connections a listener keeps from one IP; 0 is no limit.</summary>
    public int MaxConnectionsPerAddress { get; }

    /// <summary>kamune.listen-backlog: the listen(2) backlog of every listener.</summary>
    public int ListenBacklog { get; }

    /// <summary>kamune.shutdown-timeout: how long a graceful stop waits for sessions to close.</summary>
    public TimeSpan ShutdownTimeout { get; }

    /// <summary>kamune.delivery-window: unanswered deliveries before a session stops reading; 0 is off.</summary>
    public int DeliveryWindow { get; }

    /// <summary>kamune.accept-rate-per-address: accepts per second from one IP; 0 is off.</summary>
    public double AcceptRatePerAddress { get; }

    /// <summary>kamune.accept-burst-per-address: the accept rate's bucket size.</summary>
    public int AcceptBurstPerAddress { get; }

    /// <summary>kamune.request-timeout: how long ListenAsync and DialAsync wait for the manager's answer.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>kamune.outbound-max-frames: the hard bound, in frames, on what one connection holds for its peer.</summary>
    public int OutboundMaxFrames { get; }

    /// <summary>kamune.outbound-max-bytes: the same bound in payload bytes.</summary>
    public long OutboundMaxBytes { get; }

    /// <summary>kamune.dispatcher: the dispatcher id the sessions and their cipher and replay guard run on.</summary>
    public string Dispatcher { get; }

    /// <summary>Reads <c>kamune { }</c> from <paramref name="config"/> with the embedded reference as fallback.</summary>
    public static KamuneSettings Create(Config? config)
    {
        var root = KamuneConfig.OverDefault(config);
        // Every value of its default's kind first, so a bad one is named ("kamune.send-window: expected an integer").
        ConfigValues.CheckKinds(root, "kamune", KamuneConfig.Default);
        CheckAppVersion(root);
        var settings = new KamuneSettings(root.GetConfig("kamune"));
        settings.Validate();
        return settings;
    }

    /// <summary>Reads the settings of <paramref name="system"/>'s configuration.</summary>
    public static KamuneSettings Create(ActorSystem system) => Create(system.Settings.Config);

    private static TimeSpan? OptionalInterval(Config k, string path)
    {
        // HOCON "off" parses as the boolean false; Akka uses the same convention for optional durations.
        var raw = k.GetString(path);
        return string.Equals(raw, "off", StringComparison.OrdinalIgnoreCase) || string.Equals(raw, "false", StringComparison.OrdinalIgnoreCase)
            ? null
            : k.GetTimeSpan(path);
    }

    private void Validate()
    {
        Positive(HandshakeTimeout, "handshake-timeout");
        if (IdleTimeout < TimeSpan.Zero)
        {
            throw new ConfigurationException($"kamune.idle-timeout: expected a positive duration, or off (0), got {IdleTimeout}");
        }

        Positive(WriteTimeout, "write-timeout");
        Positive(DialTimeout, "dial-timeout");
        Positive(ShutdownTimeout, "shutdown-timeout");
        if (KeepAliveInterval is { } keepAlive)
        {
            Positive(keepAlive, "keep-alive-interval");
        }

        if (MaxFrameLength is < 1 or > FrameCodec.MaxPayload)
        {
            throw new ConfigurationException($"kamune.max-frame-length: expected 1..{FrameCodec.MaxPayload}, got {MaxFrameLength}");
        }

        AtLeastOne(InboundBuffer, "inbound-buffer");
        AtLeastOne(OutboundBuffer, "outbound-buffer");
        AtLeastOne(SendWindow, "send-window");
        AtLeastOne(ListenBacklog, "listen-backlog");
        // The writer's bound assumes at most outbound-buffer frames in its queue plus a whole send-window waiting for
        // room in it: below that sum an honest session within its own budget would be cut off as PeerNotReading.
        if (OutboundMaxFrames < OutboundBuffer + SendWindow)
        {
            throw new ConfigurationException(
                $"kamune.outbound-max-frames: expected at least outbound-buffer + send-window ({OutboundBuffer} + {SendWindow} = {OutboundBuffer + SendWindow}), got {OutboundMaxFrames}");
        }

        if (OutboundMaxBytes < FrameCodec.MaxPayload)
        {
            throw new ConfigurationException(
                $"kamune.outbound-max-bytes: expected at least one largest frame ({FrameCodec.MaxPayload} bytes), got {OutboundMaxBytes}");
        }

        if (DeliveryWindow < 0)
        {
            throw new ConfigurationException($"kamune.delivery-window: expected 0 (off) or more, got {DeliveryWindow}");
        }

        if (AcceptRatePerAddress < 0 || double.IsNaN(AcceptRatePerAddress) || AcceptBurstPerAddress < 1)
        {
            throw new ConfigurationException(
                $"kamune accept rate limit: expected accept-rate-per-address 0 (off) or more and accept-burst-per-address at least 1, got {AcceptRatePerAddress} and {AcceptBurstPerAddress}");
        }

        Positive(RequestTimeout, "request-timeout");
        if (string.IsNullOrWhiteSpace(Dispatcher))
        {
            throw new ConfigurationException("kamune.dispatcher: expected a dispatcher id (akka.actor.default-dispatcher by default), got none");
        }

        if (MaxConcurrentHandshakes < 0 || MaxConnectionsPerAddress < 0)
        {
            throw new ConfigurationException(
                $"kamune connection limits: expected 0 (no limit) or more, got max-concurrent-handshakes = {MaxConcurrentHandshakes}, max-connections-per-address = {MaxConnectionsPerAddress}");
        }
    }

    // kamune.app-version was a setting until the protocol version became a constant of the library: a config that
    // still states the version spoken is harmless and ignored; one that asks for another cannot be honoured, so it
    // fails naming the key rather than announcing something the config did not say.
    private static void CheckAppVersion(Config root)
    {
        const string key = "kamune.app-version";
        if (!root.HasPath(key))
        {
            return;
        }

        var value = root.GetValue(key);
        var text = value is not null && value.IsString() ? value.GetString() : null;
        if (text != ProtocolVersion.Current.ToString())
        {
            throw new ConfigurationException(
                $"{key}: expected no value (the protocol version announced is {ProtocolVersion.Current}, not a setting), got {(text is null ? "a list or object" : $"\"{text}\"")}");
        }
    }

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"kamune.{key}: expected a positive duration, got {value}");
        }
    }

    private static void AtLeastOne(int value, string key)
    {
        if (value < 1)
        {
            throw new ConfigurationException($"kamune.{key}: expected at least 1, got {value}");
        }
    }
}

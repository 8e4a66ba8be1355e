using Akka.Actor;
using Akka.Configuration;
using Kamune.Protocol;
using Kamune.Actors.Configuration;

namespace Kamune;

/// <summary>
/// The <c>kamune { }</c> section, read once into typed values. Every default lives in the embedded
/// hocon/reference.conf; a node's own config only overrides. <see cref="IdleTimeout"/> zero means off.
/// </summary>
public sealed record KamuneSettings(
    string Name,
    string AppVersion,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan WriteTimeout,
    TimeSpan DialTimeout,
    TimeSpan? KeepAliveInterval,
    int MaxFrameLength,
    int InboundBuffer,
    int OutboundBuffer,
    int SendWindow,
    string ListenHost,
    int ListenPort,
    int MaxConcurrentHandshakes,
    int MaxConnectionsPerAddress,
    int ListenBacklog,
    TimeSpan ShutdownTimeout,
    int DeliveryWindow = 256,
    double AcceptRatePerAddress = 0,
    int AcceptBurstPerAddress = 1,
    TimeSpan RequestTimeout = default,
    int OutboundMaxFrames = 128,
    long OutboundMaxBytes = 8 * 1024 * 1024)
{
    /// <summary>Reads <c>kamune { }</c> from <paramref name="config"/> with the embedded reference as fallback.</summary>
    public static KamuneSettings Create(Config? config)
    {
        var root = config is null || config.IsEmpty
            ? KamuneConfig.Default
            : config.WithFallback(KamuneConfig.Default);
        // Every value of its default's kind first, so a bad one is named ("kamune.send-window: expected an integer").
        ConfigValues.CheckKinds(root, "kamune", KamuneConfig.Default);
        var k = root.GetConfig("kamune");
        var settings = new KamuneSettings(
            Name: k.GetString("name", string.Empty),
            AppVersion: k.GetString("app-version"),
            HandshakeTimeout: k.GetTimeSpan("handshake-timeout"),
            IdleTimeout: OptionalInterval(k, "idle-timeout") ?? TimeSpan.Zero,
            WriteTimeout: k.GetTimeSpan("write-timeout"),
            DialTimeout: k.GetTimeSpan("dial-timeout"),
            KeepAliveInterval: OptionalInterval(k, "keep-alive-interval"),
            MaxFrameLength: k.GetInt("max-frame-length"),
            InboundBuffer: k.GetInt("inbound-buffer"),
            OutboundBuffer: k.GetInt("outbound-buffer"),
            SendWindow: k.GetInt("send-window"),
            ListenHost: k.GetString("listen.host"),
            ListenPort: k.GetInt("listen.port"),
            MaxConcurrentHandshakes: k.GetInt("max-concurrent-handshakes"),
            MaxConnectionsPerAddress: k.GetInt("max-connections-per-address"),
            ListenBacklog: k.GetInt("listen.backlog"),
            ShutdownTimeout: k.GetTimeSpan("shutdown-timeout"),
            DeliveryWindow: k.GetInt("delivery-window"),
            AcceptRatePerAddress: k.GetDouble("accept-rate-per-address"),
            AcceptBurstPerAddress: k.GetInt("accept-burst-per-address"),
            RequestTimeout: k.GetTimeSpan("request-timeout"),
            OutboundMaxFrames: k.GetInt("outbound-max-frames"),
            OutboundMaxBytes: k.GetByteSize("outbound-max-bytes") ?? 0);
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
        AtLeastOne(ListenBacklog, "listen.backlog");
        if (ListenPort is < 0 or > ushort.MaxValue)
        {
            throw new ConfigurationException($"kamune.listen.port: expected 0..65535, got {ListenPort}");
        }

        if (OutboundMaxFrames < OutboundBuffer)
        {
            throw new ConfigurationException(
                $"kamune.outbound-max-frames: expected at least outbound-buffer ({OutboundBuffer}), got {OutboundMaxFrames}");
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
        if (MaxConcurrentHandshakes < 0 || MaxConnectionsPerAddress < 0)
        {
            throw new ConfigurationException(
                $"kamune connection limits: expected 0 (no limit) or more, got max-concurrent-handshakes = {MaxConcurrentHandshakes}, max-connections-per-address = {MaxConnectionsPerAddress}");
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

/// <summary>The embedded reference configuration (hocon/reference.conf).</summary>
public static class KamuneConfig
{
    private static readonly Lazy<Config> Reference =
        new(() => ConfigurationFactory.FromResource("Kamune.reference.conf", typeof(KamuneConfig).Assembly));

    /// <summary>The defaults for every <c>kamune</c> key; use as a fallback below a node's own config.</summary>
    public static Config Default => Reference.Value;
}

using Akka.Configuration;

namespace Kamune.Tests.Runtime;

// The outbound bound's settings (issue 16 item 1): defaults from the reference config, sizes in HOCON units, and a
// bound that could never hold what the queue or one frame needs is refused naming its key.
public sealed class OutboundSettingsTests
{
    [Fact]
    public void The_reference_config_bounds_a_connection_at_128_frames_and_8_MiB_with_a_one_minute_deadline()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.Empty);

        Assert.Equal((128, 8L * 1024 * 1024), (settings.OutboundMaxFrames, settings.OutboundMaxBytes));
        Assert.Equal(TimeSpan.FromMinutes(1), settings.WriteTimeout);
        // A session within its budget never reaches the bound, even with every frame at the largest size.
        var withinBudget = settings.OutboundBuffer + settings.SendWindow;
        Assert.True(settings.OutboundMaxFrames >= withinBudget);
        Assert.True(settings.OutboundMaxBytes >= (long)withinBudget * settings.MaxFrameLength);
    }

    [Fact]
    public void A_bound_of_exactly_outbound_buffer_plus_send_window_frames_is_accepted()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString("kamune { outbound-buffer = 16, send-window = 64, outbound-max-frames = 80 }"));

        Assert.Equal(80, settings.OutboundMaxFrames);
    }

    [Fact]
    public void Byte_sizes_take_hocon_units()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString("kamune.outbound-max-bytes = 512 KiB"));

        Assert.Equal(512 * 1024, settings.OutboundMaxBytes);
    }

    [Theory]
    [InlineData("kamune { outbound-buffer = 16, outbound-max-frames = 15 }",
        "kamune.outbound-max-frames: expected at least outbound-buffer + send-window (16 + 64 = 80), got 15")]
    // The writer's bound assumes a whole send-window may wait behind a full outbound buffer: one frame short is refused.
    [InlineData("kamune { outbound-buffer = 16, send-window = 64, outbound-max-frames = 79 }",
        "kamune.outbound-max-frames: expected at least outbound-buffer + send-window (16 + 64 = 80), got 79")]
    [InlineData("kamune.send-window = 200", "kamune.outbound-max-frames: expected at least outbound-buffer + send-window (16 + 200 = 216), got 128")]
    [InlineData("kamune.outbound-max-bytes = 60000", "kamune.outbound-max-bytes: expected at least one largest frame (65535 bytes), got 60000")]
    public void A_bound_below_what_the_queue_or_one_frame_needs_is_refused_naming_its_key(string hocon, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => KamuneSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Equal(message, error.Message);
    }
}

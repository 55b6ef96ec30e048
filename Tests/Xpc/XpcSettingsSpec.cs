// Proves XPC's settings come from akka.hocon's xpmem-emulator.xpc section with the defaults the
// code states (and those when the section is left out), that a key set in HOCON wins, and that
// values which would break a channel are refused with the rule they break.
// How: EmulatorSettings.Create over the built-in akka.hocon with overrides on top.
using Akka.Configuration;
using Emulator.Host;
using Emulator.Partitions;
using Emulator.Partitions.Xpc;
using Xunit;

namespace Emulator.Tests.Xpc;

public sealed class XpcSettingsSpec
{
    [Fact]
    public void XpcSettings_must_read_akka_hocon_with_the_stated_defaults()
    {
        Assert.Equal(XpcSettings.Default, EmulatorSettings.Create(Settings.Defaults).Xpc);
        var bare = ConfigurationFactory.ParseString("xpmem-emulator.first-pid = 100");
        Assert.Equal(XpcSettings.Default, EmulatorSettings.Create(bare).Xpc);

        var tuned = EmulatorSettings.Create(Settings.Load("""
            xpmem-emulator.xpc {
              retransmit-interval = 2ms
              retransmit-interval-max = 10ms
              ack-delay = 0s
              heartbeat-interval = 1s
              missed-heartbeats-max = 3
            }
            """)).Xpc;
        Assert.Equal(new XpcSettings(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(10),
            TimeSpan.Zero, TimeSpan.FromSeconds(1), 3), tuned);
    }

    [Theory]
    [InlineData("retransmit-interval = 0s", "retransmit-interval must be > 0")]
    [InlineData("retransmit-interval-max = 500micros", "retransmit-interval-max must be >=")]
    [InlineData("ack-delay = 1ms", "ack-delay must be < retransmit-interval")]
    [InlineData("heartbeat-interval = 0s", "heartbeat-interval must be > 0")]
    [InlineData("missed-heartbeats-max = 0", "missed-heartbeats-max must be >= 1")]
    [InlineData("retransmit-interval = infinite", "infinite")]
    public void XpcSettings_must_refuse_what_would_break_a_channel(string setting, string rule)
    {
        var refusal = Assert.ThrowsAny<Exception>(() =>
            EmulatorSettings.Create(Settings.Load($"xpmem-emulator.xpc.{setting}")));
        Assert.Contains(rule, refusal.Message, StringComparison.OrdinalIgnoreCase);
    }
}

using LvsNet.PacketIo.Pcap;
using Xunit;

namespace LvsNet.PacketIo.Tests;

public sealed class DeviceConfigurationTests
{
    [Fact]
    public void Constructor_NameOnly_HasForwardingDefaults()
    {
        var configuration = new DeviceConfiguration("eth0");

        Assert.Equal("eth0", configuration.InterfaceName);
        Assert.Equal(65535, configuration.SnapLength);
        Assert.True(configuration.Promiscuous);
        Assert.Equal(32 * 1024 * 1024, configuration.BufferSizeBytes);
        Assert.True(configuration.ImmediateMode);
        Assert.Equal(CaptureDirection.In, configuration.Direction);
        Assert.Null(configuration.Filter);
        Assert.True(configuration.NonBlocking);
        configuration.Validate();
    }

    [Fact]
    public void With_ChangedOption_LeavesOriginalUnchanged()
    {
        var original = new DeviceConfiguration("eth0");
        var changed = original with { Filter = "udp" };

        Assert.Null(original.Filter);
        Assert.Equal("udp", changed.Filter);
        Assert.NotEqual(original, changed);
        Assert.Equal(original, new DeviceConfiguration("eth0"));
    }

    [Fact]
    public void Validate_InvalidValues_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new DeviceConfiguration(" ").Validate());
        Assert.ThrowsAny<ArgumentException>(() => new DeviceConfiguration("eth\00").Validate());
        Assert.ThrowsAny<ArgumentException>(() => (new DeviceConfiguration("eth0") with { SnapLength = 0 }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (new DeviceConfiguration("eth0") with { SnapLength = 262145 }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (new DeviceConfiguration("eth0") with { BufferSizeBytes = -1 }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (new DeviceConfiguration("eth0") with { PacketBufferTimeout = TimeSpan.Zero }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (new DeviceConfiguration("eth0") with { Direction = (CaptureDirection)7 }).Validate());
    }

    [Fact]
    public void LiveCaptureDevice_InvalidConfiguration_ThrowsBeforeTouchingLibpcap()
    {
        Assert.ThrowsAny<ArgumentException>(() => new LiveCaptureDevice(new DeviceConfiguration("")));
    }
}

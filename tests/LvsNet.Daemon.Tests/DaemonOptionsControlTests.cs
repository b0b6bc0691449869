using LvsNet.Control.Protocol;
using Xunit;

namespace LvsNet.Daemon.Tests;

/// <summary>The daemon options of the command socket and metrics.</summary>
public class DaemonOptionsControlTests
{
    [Fact]
    public void Parse_Defaults_SocketOnMetricsOff()
    {
        var options = DaemonOptions.Parse([]);
        Assert.Equal(ControlProtocol.DefaultSocketPath, options.SocketPath);
        Assert.False(options.WriteConfig);
        Assert.Null(options.MetricsPort);
    }

    [Fact]
    public void Parse_ControlOptions()
    {
        var options = DaemonOptions.Parse(["--socket", "/tmp/a.sock", "--write-config", "--metrics-port", "9101"]);
        Assert.Equal("/tmp/a.sock", options.SocketPath);
        Assert.True(options.WriteConfig);
        Assert.Equal(9101, options.MetricsPort);
        Assert.Null(DaemonOptions.Parse(["--socket", "none"]).SocketPath);
        Assert.Null(DaemonOptions.Parse(["--metrics-port", "0"]).MetricsPort);
    }

    [Theory]
    [InlineData("--metrics-port", "http")]
    [InlineData("--metrics-port", "70000")]
    [InlineData("--metrics-port", "-1")]
    public void Parse_BadMetricsPort_Fails(string option, string value) =>
        Assert.Contains("--metrics-port needs a port number", Assert.Throws<ArgumentException>(() => DaemonOptions.Parse([option, value])).Message, StringComparison.Ordinal);
}

using LvsNet.Daemon;
using Xunit;

namespace LvsNet.Daemon.Tests;

public class DaemonOptionsTests
{
    [Fact]
    public void Parse_Defaults()
    {
        var options = DaemonOptions.Parse([]);
        Assert.Equal(DaemonOptions.DefaultConfigPath, options.ConfigPath);
        Assert.Equal(TimeSpan.FromSeconds(60), options.StatsInterval);
        Assert.False(options.CheckOnly);
    }

    [Fact]
    public void Parse_AllOptions()
    {
        var options = DaemonOptions.Parse(["--config", "a.yaml", "--log-file", "x.log", "--log-level", "Debug", "--stats-interval", "5s", "--check"]);
        Assert.Equal("a.yaml", options.ConfigPath);
        Assert.Equal("x.log", options.LogFile);
        Assert.Equal("Debug", options.LogLevel);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StatsInterval);
        Assert.True(options.CheckOnly);
    }

    [Theory]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("--config", "option --config needs a value")]
    public void Parse_Mistakes_SayWhatWasWrong(string arg, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => DaemonOptions.Parse([arg]));
        Assert.Equal(message, ex.Message);
    }
}

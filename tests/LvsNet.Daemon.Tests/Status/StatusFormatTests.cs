using LvsNet.Control.Listings;
using LvsNet.Daemon.Status;
using Xunit;

namespace LvsNet.Daemon.Tests.Status;

public class StatusFormatTests
{
    [Fact]
    public void Sparkline_ScalesToItsMaximum_RightAligned_WithAMinuteOfWidthAtLeast()
    {
        // Three samples in a 120 x 24 box: x step 120 / (30 - 1), the last point at x = 120;
        // y = 23 - value / max * 21 (one pixel margin at the bottom, two at the top).
        var svg = StatusFormat.Sparkline([0, 5, 10], "conn/s");
        Assert.Contains("<path d=\"M111.7 23 L115.9 12.5 L120 2\"/>", svg, StringComparison.Ordinal);
        Assert.StartsWith("<svg class=\"spark\" viewBox=\"0 0 120 24\"", svg, StringComparison.Ordinal);
        Assert.Contains("<title>conn/s: max 10 over the last 6 s</title>", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Sparkline_GapsForMissingSamples_FlatLineForZeros_NothingForOnePoint()
    {
        var values = new double[40];
        values[20] = double.NaN;
        var svg = StatusFormat.Sparkline(values, "x");
        var path = svg[(svg.IndexOf("d=\"", StringComparison.Ordinal) + 3)..svg.IndexOf("\"/>", StringComparison.Ordinal)];
        Assert.Equal(2, path.Count(c => c == 'M'));
        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.All(path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i % 2 == 1), y => Assert.Equal("23", y));
        Assert.DoesNotContain("<path", StatusFormat.Sparkline([5], "x"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(3.25, "3.3")]
    [InlineData(9999, "9999")]
    [InlineData(12_345, "12.3K")]
    [InlineData(2_500_000, "2.5M")]
    [InlineData(7e9, "7G")]
    [InlineData(double.NaN, "–")]
    public void Number_UsesUnitsAboveTenThousand(double value, string expected) => Assert.Equal(expected, StatusFormat.Number(value));

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3 * 1024 * 1024, "3 MiB")]
    public void Bytes_UsesBinaryUnits(double value, string expected) => Assert.Equal(expected, StatusFormat.Bytes(value));

    [Theory]
    [InlineData("up", 1, false, "up")]
    [InlineData("up", 0, false, "quiescent")]
    [InlineData("up", 1, true, "overloaded")]
    [InlineData("down (removed)", 1, false, "down")]
    [InlineData("down (inhibited)", 0, false, "inhibited")]
    [InlineData("up (displaced by the sorry server)", 1, false, "displaced")]
    [InlineData("sorry server (in use)", 1, false, "sorry")]
    [InlineData("sorry server (standby)", 1, false, "standby")]
    [InlineData("not checked", 2, false, "up")]
    [InlineData(null, 2, false, "up")]
    public void ServerState_OneWordFromHealthWeightAndOverload(string? health, int weight, bool overloaded, string expected) =>
        Assert.Equal(expected, ServerStates.Of(new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", Health = health, Weight = weight, Overloaded = overloaded }));
}

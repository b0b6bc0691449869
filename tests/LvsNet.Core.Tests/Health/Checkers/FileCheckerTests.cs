using LvsNet.Core.Configuration;
using LvsNet.Core.Health.Checkers;
using Xunit;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>FILE_CHECK: keepalived's track_file reading (strtol base 0) and its state and weight rules.</summary>
public sealed class FileCheckerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lvt-file-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1\n", 1L)]
    [InlineData("  42 trailing words", 42L)]
    [InlineData("-3", -3L)]
    [InlineData("+7", 7L)]
    [InlineData("0x1F", 31L)]
    [InlineData("010", 8L)]
    [InlineData("09", 0L)]
    [InlineData("abc", 0L)]
    [InlineData("", 0L)]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("-2147483648", -2147483648L)]
    [InlineData("2147483649", null)]
    [InlineData("99999999999999999999", null)]
    public void ParseValue_AsCStrtolBase0(string text, long? expected) => Assert.Equal(expected, FileChecker.ParseValue(text));

    [Theory]
    [InlineData("0", false, true)]
    [InlineData("1", false, false)]
    [InlineData("-5", false, false)]
    [InlineData("0", true, false)]
    [InlineData("1", true, true)]
    public async Task WeightZero_NonZeroIsDown_ReverseSwaps(string content, bool reverse, bool up)
    {
        var path = Write(content);
        var result = await new FileChecker(new FileCheckConfig { Path = path, Reverse = reverse }, 5).CheckAsync(CancellationToken.None);
        Assert.Equal(up, result.Success);
        Assert.Null(result.Weight);
    }

    [Theory]
    [InlineData("3", 10, false, 5, 35)]
    [InlineData("3", 10, true, 50, 20)]
    [InlineData("1", -10, false, 5, 0)]
    [InlineData("-2", 10, false, 100, 80)]
    [InlineData("100000", 1, false, 1, 65535)]
    [InlineData("0", 7, false, 9, 9)]
    public async Task NonZeroWeight_AddsValueTimesWeight_ClampedToIpvsRange(string content, int weight, bool reverse, int configured, int expected)
    {
        var path = Write(content);
        var result = await new FileChecker(new FileCheckConfig { Path = path, Weight = weight, Reverse = reverse }, configured).CheckAsync(CancellationToken.None);
        Assert.True(result.Success, result.Message);
        Assert.Equal(expected, result.Weight);
    }

    [Fact]
    public async Task MissingFile_ReadsAsZero_OutOfRangeKeepsTheLastValue()
    {
        var path = Path.Combine(_directory, "absent");
        var checker = new FileChecker(new FileCheckConfig { Path = path }, 1);
        Assert.True((await checker.CheckAsync(CancellationToken.None)).Success);

        File.WriteAllText(path, "1");
        Assert.False((await checker.CheckAsync(CancellationToken.None)).Success);

        // keepalived logs and ignores an out-of-range number: the server stays as it was (down).
        File.WriteAllText(path, "99999999999");
        Assert.False((await checker.CheckAsync(CancellationToken.None)).Success);

        File.Delete(path);
        Assert.True((await checker.CheckAsync(CancellationToken.None)).Success);
    }

    private string Write(string content)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, content);
        return path;
    }
}

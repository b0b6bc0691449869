using LvsNet.PacketIo.Pcap;
using Xunit;

namespace LvsNet.PacketIo.Tests.Pcap;

public sealed class PcapLibraryTests
{
    [Fact]
    public void Version_Installed_StartsWithLibpcapVersion()
    {
        Assert.StartsWith("libpcap version ", PcapLibrary.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void CandidateFileNames_Always_TryDebianRuntimeNameFirst()
    {
        Assert.Equal(["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"], PcapLibrary.CandidateFileNames);
    }

    [Fact]
    public void LoadFirst_NoCandidateLoads_ThrowsNamingDebianPackage()
    {
        var exception = Assert.Throws<DllNotFoundException>(
            () => PcapLibrary.LoadFirst(["liblvsnet-missing.so.7", "liblvsnet-missing.so"]));

        Assert.Contains("libpcap0.8", exception.Message, StringComparison.Ordinal);
        Assert.Contains("liblvsnet-missing.so.7", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFirst_DebianRuntimeName_Loads()
    {
        Assert.NotEqual(0, PcapLibrary.LoadFirst(PcapLibrary.CandidateFileNames));
    }

    [Theory]
    [InlineData("ether proto 0x88b5")]
    [InlineData("tcp port 80 and dst host 192.0.2.10")]
    [InlineData("less 1")]
    public void TryValidateFilter_ValidExpression_ReturnsTrue(string filter)
    {
        Assert.True(PcapLibrary.TryValidateFilter(filter, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("tcp port")]
    [InlineData("no such primitive")]
    public void TryValidateFilter_InvalidExpression_ReturnsFalseWithLibpcapText(string filter)
    {
        Assert.False(PcapLibrary.TryValidateFilter(filter, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void TryValidateFilter_ManyThreads_AllSucceed()
    {
        // pcap_compile is serialised; concurrent callers must all get correct results.
        var results = new bool[16];
        Parallel.For(0, results.Length, i => results[i] = PcapLibrary.TryValidateFilter($"udp port {1000 + i}", out _));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void StatusToString_PermissionDenied_DescribesPermission()
    {
        Assert.Contains("permission", PcapLibrary.StatusToString(-8), StringComparison.OrdinalIgnoreCase);
    }
}

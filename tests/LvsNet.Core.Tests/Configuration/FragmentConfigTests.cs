using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Core.Tests;

public class FragmentConfigTests
{
    private const string Head = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";

    [Fact]
    public void Absent_TheDefaults()
    {
        var fragments = LvsConfigReader.Parse(Head).Fragments;
        Assert.Equal((1536 * 1024, 256, TimeSpan.FromSeconds(5)), (fragments.MemoryBytes, fragments.MaxDatagrams, fragments.Timeout));

        // 1.5 MiB of 1,532-byte buffers (MTU 1500 + 32) is 1,026 buffers for one worker, half each for two.
        Assert.Equal(1026, fragments.BuffersPerWorker(1500, 1));
        Assert.Equal(513, fragments.BuffersPerWorker(1500, 2));
        Assert.Equal(128, fragments.DatagramsPerWorker(2));
    }

    [Fact]
    public void Keys_Read()
    {
        var fragments = LvsConfigReader.Parse(Head + "fragments:\n  memory_bytes: 4194304\n  max_datagrams: 1024\n  timeout: 30s\n").Fragments;
        Assert.Equal((4 << 20, 1024, TimeSpan.FromSeconds(30)), (fragments.MemoryBytes, fragments.MaxDatagrams, fragments.Timeout));
    }

    [Fact]
    public void OutOfRange_EveryErrorWithItsPathAndLine()
    {
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(
            Head + "fragments:\n  memory_bytes: 1000\n  max_datagrams: 2\n  timeout: 10m\n  ipfrag_time: 30\n")).Errors;
        Assert.Contains(errors, e => e.Path == "fragments.memory_bytes" && e.Line == 5);
        Assert.Contains(errors, e => e.Path == "fragments.max_datagrams" && e.Line == 6);
        Assert.Contains(errors, e => e.Path == "fragments.timeout" && e.Line == 7);
        Assert.Contains(errors, e => e.Path == "fragments.ipfrag_time" && e.Line == 8);
        Assert.Equal(4, errors.Count);
    }
}

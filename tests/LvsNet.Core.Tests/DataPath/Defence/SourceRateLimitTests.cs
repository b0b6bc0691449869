using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.DataPath.Defence;

/// <summary>
/// connections.per_source_rate/_burst/_prefix: new connections of one source prefix beyond its
/// token bucket are dropped (SourceRateLimited); other prefixes and established connections are not.
/// </summary>
public class SourceRateLimitTests
{
    private static readonly uint Other = Ipv4Address.Parse("10.77.0.77");

    [Fact]
    public void Burst_IsAdmitted_ThenTheRestDropped_UntilTheRateRefills()
    {
        var h = Harness(c => c with { PerSourceRate = 4, PerSourceBurst = 3 });
        for (var i = 0; i < 10; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        Assert.Equal(3, h.Processor.Table.Count);
        Assert.Equal(7, h.Processor.Counters[DropReason.SourceRateLimited]);

        // A second at 4 a second refills the bucket, up to the burst of 3 only.
        h.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            h.Feed(h.ClientTcp((ushort)(2000 + i), TcpFlags.Syn));
        }

        Assert.Equal(6, h.Processor.Table.Count);
        Assert.Equal(9, h.Processor.Counters[DropReason.SourceRateLimited]);
    }

    [Fact]
    public void OtherSources_AndEstablishedConnections_AreNotLimited()
    {
        var h = Harness(c => c with { PerSourceRate = 1 });
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        h.Feed(h.ClientTcp(1001, TcpFlags.Syn));
        Assert.Equal(1, h.Processor.Counters[DropReason.SourceRateLimited]);
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(1000, TcpFlags.Ack, payload: 100));
        h.Feed(h.TcpFrom(Other, 1000, TcpFlags.Syn));

        Assert.Equal(2, h.Device.Sent.Count);
        Assert.Equal(1, h.Processor.Counters[DropReason.SourceRateLimited]);
    }

    [Fact]
    public void Prefix_MakesNeighbouringAddressesOneSource()
    {
        var h = Harness(c => c with { PerSourceRate = 2, PerSourcePrefix = 24 });
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        h.Feed(h.TcpFrom(Other, 1000, TcpFlags.Syn));
        h.Feed(h.TcpFrom(Other, 1001, TcpFlags.Syn));

        // The client and Other share 10.77.0.0/24: two tokens between them.
        Assert.Equal(2, h.Processor.Table.Count);
        Assert.Equal(1, h.Processor.Counters[DropReason.SourceRateLimited]);
    }

    [Fact]
    public void Off_ByDefault_AndReadFromTheYamlWithItsErrors()
    {
        var off = Harness(c => c);
        for (var i = 0; i < 100; i++)
        {
            off.Feed(off.ClientTcp((ushort)(1000 + i), TcpFlags.Syn));
        }

        Assert.Equal(100, off.Processor.Table.Count);

        const string Head = "director:\n  interface: eth0\n  address: 10.0.0.2/24\nconnections:\n";
        var read = LvsConfigReader.Parse(Head + "  per_source_rate: 50\n  per_source_burst: 200\n  per_source_prefix: 24\n").Connections;
        Assert.Equal((50, (int?)200, 24), (read.PerSourceRate, read.PerSourceBurst, read.PerSourcePrefix));
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "  per_source_rate: -1\n  per_source_prefix: 4\n")).Errors;
        Assert.Contains(errors, e => e.Path == "connections.per_source_rate" && e.Line == 5);
        Assert.Contains(errors, e => e.Path == "connections.per_source_prefix" && e.Line == 6);
    }

    [Fact]
    public void LimitedNewFlows_AllocateNothing()
    {
        var h = Harness(c => c with { PerSourceRate = 1 });
        h.Feed(h.ClientTcp(999, TcpFlags.Syn));
        var frames = Enumerable.Range(0, 64).Select(i => h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn)).ToArray();
        foreach (var frame in frames)
        {
            h.Feed(frame);
        }

        var before = AllocationMeter.Start();
        foreach (var frame in frames)
        {
            h.Feed(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(128, h.Processor.Counters[DropReason.SourceRateLimited]);
    }

    private static DataPathHarness Harness(Func<ConnectionTableConfig, ConnectionTableConfig> edit)
    {
        var h = new DataPathHarness(c => c with { Connections = edit(c.Connections) });
        h.ResolveRealServers();
        return h;
    }
}

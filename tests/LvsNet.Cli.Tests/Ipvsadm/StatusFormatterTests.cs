using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Protocol;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

public class StatusFormatterTests
{
    [Fact]
    public void Status_ShowsTheFloodDefenceCountersAndTheDropsByReason()
    {
        var status = new DaemonStatus
        {
            Version = "1.0",
            ConfigPath = "/etc/lvsnet/lvsnet.yaml",
            DataPath = new DataPathStatus
            {
                Received = 10,
                TableEntries = 3,
                TableCapacity = 4096,
                DefenceDropped = 1234,
                HalfOpenEvicted = 1200,
                DropsByReason = new Dictionary<string, long> { ["DefenceDropPacket"] = 7, ["Fragment"] = 0 },
                Fragments = new FragmentStatus { Held = 42, Forwarded = 11, Overlap = 3, Duplicate = 4, Tiny = 5, Malformed = 6, TimedOut = 7, PoolFull = 8, PendingDatagrams = 2, DatagramCapacity = 256, BuffersInUse = 5, BufferCapacity = 1026 },
                SynProxy = new SynProxyStatus { CookiesSent = 20000, CookiesValid = 61, CookiesInvalid = 9, Connections = 60, PendingDropped = 1 },
                Neighbours = new NeighbourStatus { Entries = 4096, Capacity = 4096, RequestsSent = 18000, Failed = 5900, Reclaimed = 1904, Entries6 = 2, Capacity6 = 4096, SolicitationsSent = 9, Failed6 = 1, Reclaimed6 = 0 },
            },
        };

        var text = StatusFormatter.Status(status);

        Assert.Contains("connections: 3 in table (capacity 4096)", text, StringComparison.Ordinal);
        Assert.Contains("flood defence: 1234 entries dropped (drop_entry), 1200 of them half-open\n", text, StringComparison.Ordinal);
        Assert.Contains("DefenceDropPacket", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n  Fragment ", text, StringComparison.Ordinal);
        Assert.Contains("fragments: 42 held, 11 datagrams forwarded whole; refused 3 overlapping, 4 duplicate, 5 tiny, 6 malformed, 7 timed out, 8 pool full; now 2/256 datagrams in 5/1026 buffers\n", text, StringComparison.Ordinal);
        Assert.Contains("neighbours: IPv4 4096/4096 in table, 18000 ARP requests sent, 5900 failed, 1904 taken for new addresses; IPv6 2/4096 in table, 9 solicitations sent, 1 failed, 0 taken for new addresses\n", text, StringComparison.Ordinal);
        Assert.Contains("syn proxy: 20000 cookies sent, 61 valid, 9 invalid, 60 connections proxied, 1 segments dropped while opening\n", text, StringComparison.Ordinal);
    }
}

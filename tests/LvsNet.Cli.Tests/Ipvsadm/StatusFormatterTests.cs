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
            },
        };

        var text = StatusFormatter.Status(status);

        Assert.Contains("connections: 3 in table (capacity 4096)", text, StringComparison.Ordinal);
        Assert.Contains("flood defence: 1234 entries dropped (drop_entry), 1200 of them half-open\n", text, StringComparison.Ordinal);
        Assert.Contains("DefenceDropPacket", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Fragment", text, StringComparison.Ordinal);
    }
}

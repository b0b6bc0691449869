using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests.Neighbours;

public class Ipv6NeighbourTableTests
{
    private static readonly MacAddress Own = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress RsMac = MacAddress.Parse("02:00:00:00:00:11");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");
    private static readonly Ipv6Address Rs = Ipv6Address.Parse("fd77::11");
    private static readonly Ipv6Address Client = Ipv6Address.Parse("fd77::10");

    private readonly CountingSender _sender = new();

    private static NeighborDiscoveryMessage Answer(Ipv6Address target, MacAddress mac) =>
        new() { Type = Icmpv6.NeighborAdvertisement, Target = target, LinkLayerAddress = mac, Solicited = true, Override = true };

    private static Ipv6Address Spoofed(int k) => Ipv6Address.Parse($"fd77::5:{k:x}");

    [Fact]
    public void FullTable_AddressesThatNeverAnswered_GiveTheirEntriesToNewNeighbours()
    {
        var table = new Ipv6NeighbourTable(_sender, Own, capacity: 4);
        for (var k = 1; k <= 4; k++)
        {
            Assert.False(table.TryResolve(Spoofed(k), 0, out _));
        }

        // A real server needing resolution gets the oldest attempt's entry at once.
        var sent = _sender.Count;
        Assert.False(table.TryResolve(Rs, 1, out _));
        Assert.Equal([Rs], _sender.Targets.Skip(sent));
        Assert.Equal(NeighborAdvertisementOutcome.Learnt, table.Learn(Answer(Rs, RsMac), Own, 1));
        Assert.True(table.TryResolve(Rs, 1, out var mac));
        Assert.Equal(RsMac, mac);
        Assert.Equal(1, table.Reclaimed);

        // The address whose entry was taken is no longer known, and its late answer is refused.
        Assert.Equal(NeighborAdvertisementOutcome.Refused, table.Learn(Answer(Spoofed(1), ClientMac), Own, 1));
        Assert.Equal(MacAddress.Zero, table.MacOf(Spoofed(1)));

        for (var now = 2u; now <= (Ipv6NeighbourTable.MaxProbes + 1) * Ipv6NeighbourTable.RetransmitTicks; now++)
        {
            table.Maintain(now);
            Assert.True(table.TryResolve(Rs, now, out _));
        }

        Assert.Equal(3, table.Failures);
    }

    [Fact]
    public void FullTable_NeighboursInUseKeepTheirEntries_UnusedOnesAreTaken_AndAreNotRechecked()
    {
        var table = new Ipv6NeighbourTable(_sender, Own, capacity: 2);
        table.TryResolve(Rs, 0, out _);
        table.Learn(Answer(Rs, RsMac), Own, 0);
        table.TryResolve(Client, 0, out _);
        table.Learn(Answer(Client, ClientMac), Own, 0);
        Assert.True(table.TryResolve(Client, 0, out _));

        // Rs is used every tick and answers its re-checks; Client is not used again.
        var end = 3 * Ipv6NeighbourTable.RecheckTicks;
        var sentBefore = _sender.Count;
        for (var now = 1u; now <= end; now++)
        {
            Assert.True(table.TryResolve(Rs, now, out _));
            table.Learn(Answer(Rs, RsMac), Own, now);
            table.Maintain(now);
        }

        // Rs was re-checked every RecheckTicks (at 120 and 241 ticks); Client, unused, never.
        var rechecks = _sender.Targets.Skip(sentBefore).ToList();
        Assert.Equal(2, rechecks.Count);
        Assert.All(rechecks, target => Assert.Equal(Rs, target));

        var newcomer = Ipv6Address.Parse("fd77::60");
        Assert.False(table.TryResolve(newcomer, end, out _));
        Assert.Equal(1, table.Reclaimed);
        Assert.Equal(MacAddress.Zero, table.MacOf(Client));
        Assert.False(table.TryResolve(Client, end, out _));

        // A burst of new addresses that never answer (after Client took the newcomer's entry back) takes
        // only the entry of one another: Rs keeps its own.
        for (var k = 0; k < 1000; k++)
        {
            Assert.False(table.TryResolve(Spoofed(k), end + 1, out _));
        }

        Assert.Equal(1002, table.Reclaimed);
        Assert.True(table.TryResolve(Rs, end + 1, out var mac));
        Assert.Equal(RsMac, mac);
    }

    // Counts the frames sent and decodes the solicitations' targets.
    private sealed class CountingSender : IFrameSender
    {
        public int Count => Targets.Count;

        public List<Ipv6Address> Targets { get; } = [];

        public bool Send(ReadOnlySpan<byte> frame)
        {
            Assert.True(EthernetHeader.TryParse(frame, out var eth));
            Assert.True(Ipv6Header.TryParse(eth.Payload, out var ip));
            Assert.True(NeighborDiscovery.TryParse(ip, ip.Payload, out var message));
            Assert.Equal(Icmpv6.NeighborSolicitation, message.Type);
            Targets.Add(message.Target);
            return true;
        }
    }
}

using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.Ha;

/// <summary>
/// An IPv6 floating address (the IPv6 NAT real servers' default gateway) follows the MASTER role as
/// the IPv4 one does: solicitations for it are answered only while master, a new master announces it
/// with unsolicited neighbour advertisements beside its gratuitous ARPs, and the replies of the real
/// servers that route through it are un-NATed. The frames are checked against RFC 4861 byte by byte,
/// with PacketDotNet decoding the IPv6 header and an independent checksum.
/// </summary>
public class Ipv6FloatingAddressTests
{
    private static readonly Ipv6Address Floating = Ipv6Address.Parse("2001:db8::fe");
    private static readonly uint Floating4 = Ipv4Address.Parse("10.77.0.254");
    private const int Ip = 14;
    private const int Icmp = 14 + 40;

    [Fact]
    public void Backup_DoesNotAnswerSolicitationsForTheFloatingAddress()
    {
        var node = new Node(DirectorRole.Backup);
        node.Device.Sent.Clear();
        node.Feed(RealServerSolicitation(multicast: true));
        node.Feed(RealServerSolicitation(multicast: false));

        Assert.DoesNotContain(node.Device.Sent, f => IsAdvertisementFor(f, Floating));
        Assert.Equal(2, node.Processor.Counters.DropsByReason()[DropReason.Standby]);
        Assert.Equal(0, node.Processor.Counters.NeighborAdvertisementsSent);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Master_AnswersTheRealServersSolicitation_WithASolicitedAdvertisement(bool multicast)
    {
        var node = new Node(DirectorRole.Master);
        node.Device.Sent.Clear();
        node.Feed(RealServerSolicitation(multicast));

        var reply = Assert.Single(node.Device.Sent);
        AssertAdvertisement(reply, Rs1Mac, Rs1, solicited: true);
        Assert.Equal(1, node.Processor.Counters.NeighborAdvertisementsSent);
    }

    [Fact]
    public void BecomingMaster_BurstAnnouncesTheFloatingAddress_ThenBackupStopsAnswering()
    {
        var node = new Node(DirectorRole.Backup, repeat: 3);
        node.Device.Sent.Clear();
        node.Role.Set(DirectorRole.Master);
        node.Advance(TimeSpan.FromMilliseconds(1));

        // keepalived's garp_master_repeat for both families: three gratuitous ARPs for the IPv4
        // floating address and three unsolicited advertisements for the IPv6 one.
        var announcements = node.Device.Sent.Where(f => IsAdvertisementFor(f, Floating)).ToList();
        Assert.Equal(3, announcements.Count);
        Assert.All(announcements, f => AssertAdvertisement(f, MacAddress.Parse("33:33:00:00:00:01"), Ipv6Address.AllNodes, solicited: false));
        Assert.Equal(3, node.Device.Sent.Count(IsGratuitousForFloating4));

        // The second burst after garp_master_delay (5 s) carries them again.
        node.Advance(TimeSpan.FromSeconds(5.5));
        Assert.Equal(6, node.Device.Sent.Count(f => IsAdvertisementFor(f, Floating)));

        // Master again: answered; backup: refused from the next batch on.
        node.Device.Sent.Clear();
        node.Feed(RealServerSolicitation(multicast: true));
        Assert.Single(node.Device.Sent);
        node.Role.Set(DirectorRole.Backup);
        node.Advance(TimeSpan.FromMilliseconds(1));
        node.Device.Sent.Clear();
        node.Feed(RealServerSolicitation(multicast: true));
        Assert.Empty(node.Device.Sent);
    }

    [Fact]
    public void ReplyOfARealServerRoutingThroughTheFloatingAddress_IsUnNatedToTheClient()
    {
        var node = new Node(DirectorRole.Master);
        node.Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        node.Feed(Advertisement(Rs2, Rs2Mac, solicited: true));
        node.Feed(Tcp(Client, 40000, TcpFlags.Syn));

        // The real server resolved its gateway, the floating address, to the director's MAC: its
        // reply reaches the director addressed to that MAC and to the client's IP.
        node.Device.Sent.Clear();
        node.Feed(RealServerSolicitation(multicast: true));
        var gatewayMac = MacAddress.Read(Assert.Single(node.Device.Sent, f => IsAdvertisementFor(f, Floating)).AsSpan(Icmp + 26));
        Assert.Equal(DirectorMac, gatewayMac);
        node.Device.Sent.Clear();
        node.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack));
        node.Feed(Advertisement(Client, ClientMac, solicited: true));

        var sent = Assert.Single(node.Device.Sent, f => f[Ip + 6] == 6);
        var ip = Decode(sent);
        Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.Equal(80, tcp.SourcePort);
        Assert.Equal(40000, tcp.DestinationPort);
        Assert.True(tcp.ValidTcpChecksum);
    }

    [Fact]
    public void SegmentToTheVipFromTheFloatingAddress_IsDroppedAsSpoofed()
    {
        var node = new Node(DirectorRole.Master);
        node.Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        node.Feed(Advertisement(Rs2, Rs2Mac, solicited: true));
        node.Device.Sent.Clear();
        node.Feed(Tcp(Floating, 40000, TcpFlags.Syn));
        Assert.Empty(node.Device.Sent);
        Assert.Equal(1, node.Processor.Counters[DropReason.OwnAddressSource]);
        Assert.Equal(0, node.Processor.Table6.Count);
    }

    [Fact]
    public void Snapshot_OwnsTheFloatingAddress_ButNotAsAVip()
    {
        var node = new Node(DirectorRole.Master);
        var snapshot = node.Runtime.Current!;
        Assert.True(snapshot.IsOwnedAddress6(Floating));
        Assert.False(snapshot.IsVirtualAddress6(Floating));
        Assert.False(snapshot.IsLocalAddress6(Floating));
        Assert.True(snapshot.IsOwnedAddress(Floating4));
    }

    // RFC 4861 §4.4 and §7.2.4/§7.2.6: hop limit 255, source the target, ICMPv6 136 code 0, R clear,
    // S set only when solicited, O set, the target, a target link-layer address option with the MAC.
    private static void AssertAdvertisement(byte[] frame, MacAddress toMac, Ipv6Address to, bool solicited)
    {
        Assert.Equal(toMac, MacAddress.Read(frame));
        Assert.Equal(DirectorMac, MacAddress.Read(frame.AsSpan(6)));
        var ip = Decode(frame);
        Assert.Equal(255, ip.HopLimit);
        Assert.Equal(PacketDotNet.ProtocolType.IcmpV6, ip.NextHeader);
        Assert.Equal(32, (int)ip.PayloadLength);
        Assert.Equal(Floating.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(to.ToIPAddress(), ip.DestinationAddress);
        var icmp = frame.AsSpan(Icmp, 32);
        Assert.Equal(136, icmp[0]);
        Assert.Equal(0, icmp[1]);
        Assert.Equal(solicited ? 0x60 : 0x20, icmp[4]);
        Assert.True(icmp.Slice(5, 3).SequenceEqual(new byte[3]));
        Assert.Equal(Floating, Ipv6Address.Read(icmp.Slice(8)));
        Assert.Equal(2, icmp[24]);
        Assert.Equal(1, icmp[25]);
        Assert.Equal(DirectorMac, MacAddress.Read(icmp.Slice(26)));
        Assert.Equal(0xFFFF, PseudoHeaderSum(frame.AsSpan(Ip + 8, 16), frame.AsSpan(Ip + 24, 16), icmp));
    }

    private static bool IsAdvertisementFor(byte[] frame, Ipv6Address target) =>
        frame.Length >= Icmp + 24 && frame[12] == 0x86 && frame[13] == 0xDD && frame[Ip + 6] == 58 && frame[Icmp] == 136
        && Ipv6Address.Read(frame.AsSpan(Icmp + 8)) == target;

    private static bool IsGratuitousForFloating4(byte[] frame) =>
        EthernetHeader.TryParse(frame, out var eth) && eth.EtherType == EtherType.Arp && LvsNet.Packets.ArpPacket.TryParse(eth.Payload, out var arp)
        && arp.SenderIp == Floating4 && arp.TargetIp == Floating4;

    /// <summary>
    /// A real server's solicitation for its gateway, built by hand (RFC 4861 §4.3): from its global
    /// address, to the solicited-node group (or, as neighbour unreachability detection does, to the
    /// address itself), hop limit 255, with a source link-layer address option.
    /// </summary>
    private static byte[] RealServerSolicitation(bool multicast)
    {
        var frame = new byte[14 + 40 + 32];
        var destination = multicast ? Floating.SolicitedNode : Floating;
        (multicast ? destination.MulticastMac() : DirectorMac).WriteTo(frame);
        Rs1Mac.WriteTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x86DD);
        frame[Ip] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Ip + 4), 32);
        frame[Ip + 6] = 58;
        frame[Ip + 7] = 255;
        Rs1.WriteTo(frame.AsSpan(Ip + 8));
        destination.WriteTo(frame.AsSpan(Ip + 24));
        frame[Icmp] = 135;
        Floating.WriteTo(frame.AsSpan(Icmp + 8));
        frame[Icmp + 24] = 1;
        frame[Icmp + 25] = 1;
        Rs1Mac.WriteTo(frame.AsSpan(Icmp + 26));
        var sum = PseudoHeaderSum(frame.AsSpan(Ip + 8, 16), frame.AsSpan(Ip + 24, 16), frame.AsSpan(Icmp, 32));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Icmp + 2), (ushort)~sum);
        return frame;
    }

    // RFC 8200 §8.1: the ones-complement sum over the pseudo-header and the ICMPv6 message (0xFFFF when the checksum is right).
    private static int PseudoHeaderSum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        long sum = 0;
        for (var i = 0; i < 16; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(source.Slice(i)) + BinaryPrimitives.ReadUInt16BigEndian(destination.Slice(i));
        }

        sum += message.Length + 58;
        for (var i = 0; i < message.Length; i += 2)
        {
            sum += i + 1 < message.Length ? BinaryPrimitives.ReadUInt16BigEndian(message.Slice(i)) : message[i] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)sum;
    }

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);

    /// <summary>One director of an IPv6 NAT service with floating addresses of both families, in a role.</summary>
    private sealed class Node
    {
        public Node(DirectorRole role, int repeat = 5)
        {
            Role = new DirectorRoleState(role, Time);
            var config = LvsConfigReader.Parse($"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                  address6: 2001:db8::2/64
                high_availability:
                  garp_master_repeat: {repeat}
                  floating_addresses: [10.77.0.254, {Floating}]
                virtual_services:
                  - protocol: tcp
                    address: {Vip}
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: {Rs1}
                        port: {NatTcpPort}
                        method: nat
                      - address: {Rs2}
                        port: {NatTcpPort}
                        method: nat
                """);
            Runtime.Apply(config);
            Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions
            {
                Mac = DirectorMac,
                Address = Ipv4Address.Parse("10.77.0.2"),
                Address6 = Ipv6Address.Parse("2001:db8::2"),
                TableCapacity = 1024,
                Role = Role,
            }, Time);
            Processor.BeginBatch();
        }

        public LvsRuntime Runtime { get; } = new();

        public FakeInjectionDevice Device { get; } = new();

        public TestTimeProvider Time { get; } = new();

        public DirectorRoleState Role { get; }

        public PacketProcessor Processor { get; }

        public void Feed(byte[] frame) => Processor.OnFrame(frame, frame.Length);

        public void Advance(TimeSpan delta)
        {
            Time.Advance(delta);
            Processor.BeginBatch();
        }
    }
}

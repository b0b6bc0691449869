using System.Buffers.Binary;
using System.Net;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Bpf;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>
/// The address-filter program run in the kernel with BPF_PROG_TEST_RUN over hand-built frames (layouts
/// from RFC 8200 and RFC 4861, not from the data path's writers). The program is built with XDP_DROP as
/// the no-socket verdict, so a redirect (there is no socket in the test) shows as XDP_DROP.
/// </summary>
public sealed class AfXdpIpv6ProgramTests : IDisposable
{
    private const int Redirected = XdpAddressFilterProgram.XdpDrop;
    private const int Passed = XdpAddressFilterProgram.XdpPass;

    private static readonly byte[] Vip = Address("2001:db8::100");
    private static readonly byte[] Host = Address("2001:db8::1");
    private static readonly byte[] NatServer = Address("2001:db8::21");
    private static readonly byte[] Client = Address("2001:db8:1::9");
    private static readonly byte[] LinkLocal = Address("fe80::1");
    private static readonly byte[] VipSolicitedNode = Address("ff02::1:ff00:100");
    private static readonly byte[] HostSolicitedNode = Address("ff02::1:ff00:1");
    private static readonly byte[] Floating = Address("2001:db8::fe");
    private static readonly byte[] FloatingSolicitedNode = Address("ff02::1:ff00:fe");
    private static readonly byte[] Director = [0x02, 0, 0, 0, 0, 1];
    private static readonly byte[] Peer = [0x02, 0, 0, 0, 0, 2];

    private readonly FileDescriptorHandle _addresses;
    private readonly FileDescriptorHandle _addresses6;
    private readonly FileDescriptorHandle _xsks;
    private readonly FileDescriptorHandle _program;

    public AfXdpIpv6ProgramTests()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            _addresses = _addresses6 = _xsks = _program = null!;
            return;
        }

        _addresses = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 4, 4, 16, "lvs_t_addr");
        _addresses6 = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 16, 4, 16, "lvs_t_addr6");
        _xsks = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, 1, "lvs_t_xsks");
        _program = BpfSystem.LoadXdpProgram(
            XdpAddressFilterProgram.Build(_addresses.FileDescriptor, _addresses6.FileDescriptor, _xsks.FileDescriptor, XdpAddressFilterProgram.XdpDrop),
            "lvs_t_filter");

        // 10.0.0.100 owned (IPv4 key in wire order); IPv6: VIP owned, NAT server a reply source, host address.
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses, BitConverter.ToUInt32([10, 0, 0, 100]), XdpAddressFilterProgram.Owned));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses6, Vip, XdpAddressFilterProgram.Owned));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses6, NatServer, XdpAddressFilterProgram.ReplySource));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses6, Host, XdpAddressFilterProgram.Host));

        // An HA floating address (the IPv6 NAT servers' gateway) is owned like the VIPs.
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses6, Floating, XdpAddressFilterProgram.Owned));
    }

    public void Dispose()
    {
        _program?.Dispose();
        _xsks?.Dispose();
        _addresses6?.Dispose();
        _addresses?.Dispose();
    }

    [RequiresRootFact]
    public void TcpToVip_IsRedirected() => Assert.Equal(Redirected, Run(Ipv6(Client, Vip, 6, Tcp())));

    [RequiresRootFact]
    public void TcpToVipBehindHopByHopHeader_IsRedirectedByTheDestination() =>
        Assert.Equal(Redirected, Run(Ipv6(Client, Vip, 0, [6, 0, 1, 4, 0, 0, 0, 0, .. Tcp()])));

    [RequiresRootFact]
    public void UnrelatedIpv6_IsPassed() => Assert.Equal(Passed, Run(Ipv6(Client, Address("2001:db8::5"), 6, Tcp())));

    [RequiresRootFact]
    public void SolicitationForVip_AtSolicitedNodeGroup_IsRedirected() =>
        Assert.Equal(Redirected, Run(Ipv6(Client, VipSolicitedNode, 58, Solicitation(Vip)), Multicast(VipSolicitedNode)));

    [RequiresRootFact]
    public void DuplicateAddressDetectionForVip_IsRedirected() =>
        Assert.Equal(Redirected, Run(Ipv6(new byte[16], VipSolicitedNode, 58, Solicitation(Vip)), Multicast(VipSolicitedNode)));

    [RequiresRootFact]
    public void SolicitationForHostAddress_FromNatServer_IsPassed() =>
        Assert.Equal(Passed, Run(Ipv6(NatServer, HostSolicitedNode, 58, Solicitation(Host)), Multicast(HostSolicitedNode)));

    [RequiresRootFact]
    public void SolicitationForFloatingAddress_FromNatServer_IsRedirected_AtItsGroupAndUnicast()
    {
        // Resolution at the solicited-node group, and neighbour unreachability detection to the address itself.
        Assert.Equal(Redirected, Run(Ipv6(NatServer, FloatingSolicitedNode, 58, Solicitation(Floating)), Multicast(FloatingSolicitedNode)));
        Assert.Equal(Redirected, Run(Ipv6(NatServer, Floating, 58, Solicitation(Floating))));
        Assert.Equal(Redirected, Run(Ipv6(LinkLocal, FloatingSolicitedNode, 58, Solicitation(Floating)), Multicast(FloatingSolicitedNode)));
    }

    [RequiresRootFact]
    public void AdvertisementFromNatServer_ToLinkLocal_IsPassed() =>
        Assert.Equal(Passed, Run(Ipv6(NatServer, LinkLocal, 58, Advertisement(NatServer))));

    [RequiresRootFact]
    public void AdvertisementForVip_IsPassed() =>
        Assert.Equal(Passed, Run(Ipv6(Client, Address("ff02::1"), 58, Advertisement(Vip)), Multicast(Address("ff02::1"))));

    [RequiresRootFact]
    public void RouterSolicitationFromNatServer_IsPassed() =>
        Assert.Equal(Passed, Run(Ipv6(NatServer, Address("ff02::2"), 58, [133, 0, 0, 0, 0, 0, 0, 0]), Multicast(Address("ff02::2"))));

    [RequiresRootFact]
    public void NatReplyToClient_IsRedirected() => Assert.Equal(Redirected, Run(Ipv6(NatServer, Client, 6, Tcp())));

    [RequiresRootFact]
    public void EchoReplyFromNatServerToClient_IsRedirected() =>
        Assert.Equal(Redirected, Run(Ipv6(NatServer, Client, 58, [129, 0, 0, 0, 0, 1, 0, 1])));

    [RequiresRootFact]
    public void NatServerToHostAddress_IsPassed() => Assert.Equal(Passed, Run(Ipv6(NatServer, Host, 6, Tcp())));

    [RequiresRootFact]
    public void NatServerToMulticastOrLinkLocal_IsPassed()
    {
        Assert.Equal(Passed, Run(Ipv6(NatServer, Address("ff02::1"), 17, new byte[8]), Multicast(Address("ff02::1"))));
        Assert.Equal(Passed, Run(Ipv6(NatServer, LinkLocal, 6, Tcp())));
        Assert.Equal(Passed, Run(Ipv6(NatServer, Address("febf::1"), 6, Tcp())));
    }

    [RequiresRootFact]
    public void TruncatedFrames_ArePassed()
    {
        // The fixed header one byte short, though its destination is the VIP.
        var toVip = Ipv6(Client, Vip, 6, Tcp());
        Assert.Equal(Passed, Run(toVip.AsSpan(0, 14 + 39).ToArray()));

        // A solicitation for the VIP cut inside its target address.
        var solicitation = Ipv6(Client, VipSolicitedNode, 58, Solicitation(Vip), Multicast(VipSolicitedNode));
        Assert.Equal(Passed, Run(solicitation.AsSpan(0, 14 + 40 + 20).ToArray()));

        // ICMPv6 with no type byte; and an Ethernet header alone with the IPv6 EtherType.
        Assert.Equal(Passed, Run(Ipv6(NatServer, Client, 58, [])));
        Assert.Equal(Passed, Run(toVip.AsSpan(0, 14).ToArray()));
    }

    [RequiresRootFact]
    public void Ipv4AndArp_StillFollowTheIpv4Map()
    {
        // IPv4 to 10.0.0.100 (offset 30) and ARP request for it (target protocol address at offset 38).
        var ipv4 = new byte[14 + 20];
        Ethernet(ipv4, Director, 0x0800);
        ipv4[14] = 0x45;
        ipv4[14 + 9] = 6;
        byte[] vip4 = [10, 0, 0, 100];
        vip4.CopyTo(ipv4, 30);
        Assert.Equal(Redirected, Run(ipv4));

        var arp = new byte[14 + 28];
        Ethernet(arp, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0x0806);
        vip4.CopyTo(arp, 38);
        Assert.Equal(Redirected, Run(arp));

        vip4[3] = 101;
        vip4.CopyTo(arp, 38);
        Assert.Equal(Passed, Run(arp));
    }

    private int Run(byte[] frame, byte[]? destinationMac = null)
    {
        if (destinationMac is not null)
        {
            destinationMac.CopyTo(frame, 0);
        }

        return BpfSystem.TestRunXdp(_program, frame);
    }

    private static byte[] Address(string text) => IPAddress.Parse(text).GetAddressBytes();

    // 33:33 and the low 32 bits of the group (RFC 2464 §7).
    private static byte[] Multicast(byte[] group) => [0x33, 0x33, group[12], group[13], group[14], group[15]];

    private static void Ethernet(byte[] frame, byte[] destination, ushort etherType)
    {
        destination.CopyTo(frame, 0);
        Peer.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
    }

    private static byte[] Ipv6(byte[] source, byte[] destination, byte nextHeader, byte[] payload, byte[]? destinationMac = null)
    {
        var frame = new byte[14 + 40 + payload.Length];
        Ethernet(frame, destinationMac ?? Director, 0x86dd);
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 4), (ushort)payload.Length);
        frame[14 + 6] = nextHeader;
        frame[14 + 7] = 255;
        source.CopyTo(frame, 14 + 8);
        destination.CopyTo(frame, 14 + 24);
        payload.CopyTo(frame, 14 + 40);
        return frame;
    }

    // A TCP SYN header (20 bytes), ports 40000 -> 80.
    private static byte[] Tcp() => [0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];

    // RFC 4861 §4.3: type 135, code, checksum, reserved (4), target (16), source link-layer option (8).
    private static byte[] Solicitation(byte[] target) => [135, 0, 0, 0, 0, 0, 0, 0, .. target, 1, 1, .. Peer];

    // RFC 4861 §4.4: type 136, code, checksum, flags S|O, reserved, target (16), target link-layer option (8).
    private static byte[] Advertisement(byte[] target) => [136, 0, 0, 0, 0x60, 0, 0, 0, .. target, 2, 1, .. Peer];
}

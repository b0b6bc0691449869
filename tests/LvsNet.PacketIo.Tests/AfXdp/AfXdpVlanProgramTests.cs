using System.Buffers.Binary;
using System.Net;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Bpf;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>
/// VLAN-tagged frames through the address-filter program, run in the kernel with BPF_PROG_TEST_RUN over
/// hand-built frames (tag layout from IEEE 802.1Q: TPID 0x8100 or 0x88A8, then the 16-bit TCI, then the
/// inner EtherType). A tagged frame that would be redirected untagged must be redirected (so the data path
/// drops and counts it), anything else tagged must stay with the kernel. Built with XDP_DROP as the
/// no-socket verdict, so a redirect shows as XDP_DROP.
/// </summary>
public sealed class AfXdpVlanProgramTests : IDisposable
{
    private const int Redirected = XdpAddressFilterProgram.XdpDrop;
    private const int Passed = XdpAddressFilterProgram.XdpPass;
    private const ushort CustomerTag = 0x8100;
    private const ushort ServiceTag = 0x88a8;

    private static readonly byte[] Vip = [10, 0, 0, 100];
    private static readonly byte[] HostAddress = [10, 0, 0, 1];
    private static readonly byte[] NatServer = [10, 0, 0, 21];
    private static readonly byte[] Client = [192, 0, 2, 9];
    private static readonly byte[] Other = [10, 0, 0, 5];
    private static readonly byte[] Vip6 = IPAddress.Parse("2001:db8::100").GetAddressBytes();
    private static readonly byte[] Client6 = IPAddress.Parse("2001:db8:1::9").GetAddressBytes();
    private static readonly byte[] Director = [0x02, 0, 0, 0, 0, 1];
    private static readonly byte[] Peer = [0x02, 0, 0, 0, 0, 2];

    private readonly FileDescriptorHandle _addresses;
    private readonly FileDescriptorHandle _addresses6;
    private readonly FileDescriptorHandle _xsks;
    private readonly FileDescriptorHandle _program;

    public AfXdpVlanProgramTests()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            _addresses = _addresses6 = _xsks = _program = null!;
            return;
        }

        _addresses = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 4, 4, 16, "lvs_v_addr");
        _addresses6 = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 16, 4, 16, "lvs_v_addr6");
        _xsks = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, 1, "lvs_v_xsks");

        // Loading is the verifier check: it throws with the verifier's log on any complaint.
        _program = BpfSystem.LoadXdpProgram(
            XdpAddressFilterProgram.Build(_addresses.FileDescriptor, _addresses6.FileDescriptor, _xsks.FileDescriptor, XdpAddressFilterProgram.XdpDrop),
            "lvs_v_filter");
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses, BitConverter.ToUInt32(Vip), XdpAddressFilterProgram.Owned));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses, BitConverter.ToUInt32(NatServer), XdpAddressFilterProgram.ReplySource));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses, BitConverter.ToUInt32(HostAddress), XdpAddressFilterProgram.Host));
        Assert.Equal(0, BpfSystem.UpdateElement(_addresses6, Vip6, XdpAddressFilterProgram.Owned));
    }

    public void Dispose()
    {
        _program?.Dispose();
        _xsks?.Dispose();
        _addresses6?.Dispose();
        _addresses?.Dispose();
    }

    [RequiresRootFact]
    public void Untagged_SynToVip_IsRedirected_TheBaseline() => Assert.Equal(Redirected, Run(Ipv4(Client, Vip)));

    [RequiresRootFact]
    public void CustomerTagged_SynToVip_IsRedirected() => Assert.Equal(Redirected, Run(Ipv4(Client, Vip, CustomerTag)));

    [RequiresRootFact]
    public void ServiceTagged_SynToVip_IsRedirected() => Assert.Equal(Redirected, Run(Ipv4(Client, Vip, ServiceTag)));

    [RequiresRootFact]
    public void DoubleTagged_SynToVip_IsRedirected() => Assert.Equal(Redirected, Run(Ipv4(Client, Vip, ServiceTag, CustomerTag)));

    [RequiresRootFact]
    public void TripleTagged_SynToVip_IsPassed() => Assert.Equal(Passed, Run(Ipv4(Client, Vip, ServiceTag, CustomerTag, CustomerTag)));

    [RequiresRootFact]
    public void Tagged_ToNonOwnedAddress_IsPassed()
    {
        Assert.Equal(Passed, Run(Ipv4(Client, Other, CustomerTag)));
        Assert.Equal(Passed, Run(Ipv4(Client, Other, ServiceTag, CustomerTag)));
    }

    [RequiresRootFact]
    public void Tagged_HostTraffic_IsPassed()
    {
        // A host with VLAN subinterfaces keeps its own tagged traffic, even from a reply source.
        Assert.Equal(Passed, Run(Ipv4(Client, HostAddress, CustomerTag)));
        Assert.Equal(Passed, Run(Ipv4(NatServer, HostAddress, CustomerTag)));
    }

    [RequiresRootFact]
    public void Tagged_NatReplyToClient_IsRedirected() => Assert.Equal(Redirected, Run(Ipv4(NatServer, Client, CustomerTag)));

    [RequiresRootFact]
    public void TaggedArp_ForVipIsRedirected_ForOtherTargetsPassed()
    {
        Assert.Equal(Redirected, Run(Arp(Vip, CustomerTag)));
        Assert.Equal(Redirected, Run(Arp(Vip, ServiceTag, CustomerTag)));
        Assert.Equal(Passed, Run(Arp(HostAddress, CustomerTag)));
        Assert.Equal(Passed, Run(Arp(Other, ServiceTag)));
    }

    [RequiresRootFact]
    public void TaggedIpv6_ToVipIsRedirected_ToOthersPassed()
    {
        Assert.Equal(Redirected, Run(Ipv6(Client6, Vip6, CustomerTag)));
        Assert.Equal(Redirected, Run(Ipv6(Client6, Vip6, ServiceTag, CustomerTag)));
        Assert.Equal(Passed, Run(Ipv6(Client6, IPAddress.Parse("2001:db8::5").GetAddressBytes(), CustomerTag)));
    }

    [RequiresRootFact]
    public void TruncatedTaggedFrames_ArePassed()
    {
        // Each cut one byte short of what the rule needs, though the whole frame would be redirected.
        var ipv4 = Ipv4(Client, Vip, CustomerTag);
        Assert.Equal(Redirected, Run(ipv4.AsSpan(0, 18 + 20).ToArray()));
        Assert.Equal(Passed, Run(ipv4.AsSpan(0, 18 + 19).ToArray()));
        Assert.Equal(Passed, Run(ipv4.AsSpan(0, 17).ToArray()));
        Assert.Equal(Passed, Run(ipv4.AsSpan(0, 14).ToArray()));

        var doubleTagged = Ipv4(Client, Vip, ServiceTag, CustomerTag);
        Assert.Equal(Passed, Run(doubleTagged.AsSpan(0, 22 + 19).ToArray()));
        Assert.Equal(Passed, Run(doubleTagged.AsSpan(0, 21).ToArray()));

        var arp = Arp(Vip, CustomerTag);
        Assert.Equal(Passed, Run(arp.AsSpan(0, 18 + 27).ToArray()));

        var ipv6 = Ipv6(Client6, Vip6, CustomerTag);
        Assert.Equal(Redirected, Run(ipv6.AsSpan(0, 18 + 40).ToArray()));
        Assert.Equal(Passed, Run(ipv6.AsSpan(0, 18 + 39).ToArray()));
    }

    private int Run(byte[] frame) => BpfSystem.TestRunXdp(_program, frame);

    // Ethernet header with the given tags (TCI: priority 0, VLAN 42), the inner EtherType last; returns the header length.
    private static int Ethernet(byte[] frame, ushort innerType, ushort[] tags)
    {
        Director.CopyTo(frame, 0);
        Peer.CopyTo(frame, 6);
        var offset = 12;
        foreach (var tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tag);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), 42);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), innerType);
        return offset + 2;
    }

    // RFC 791 header (20 bytes) and a TCP SYN header (RFC 9293, 20 bytes), ports 40000 -> 80.
    private static byte[] Ipv4(byte[] source, byte[] destination, params ushort[] tags)
    {
        var frame = new byte[14 + (4 * tags.Length) + 40];
        var ip = Ethernet(frame, 0x0800, tags);
        frame[ip] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 2), 40);
        frame[ip + 8] = 64;
        frame[ip + 9] = 6;
        source.CopyTo(frame, ip + 12);
        destination.CopyTo(frame, ip + 16);
        byte[] tcp = [0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];
        tcp.CopyTo(frame, ip + 20);
        return frame;
    }

    // RFC 826 request for the IPv4 target over Ethernet (28 bytes).
    private static byte[] Arp(byte[] target, params ushort[] tags)
    {
        var frame = new byte[14 + (4 * tags.Length) + 28];
        var arp = Ethernet(frame, 0x0806, tags);
        byte[] fixedPart = [0, 1, 8, 0, 6, 4, 0, 1];
        fixedPart.CopyTo(frame, arp);
        Peer.CopyTo(frame, arp + 8);
        Client.CopyTo(frame, arp + 14);
        target.CopyTo(frame, arp + 24);
        return frame;
    }

    // RFC 8200 fixed header and a TCP SYN header.
    private static byte[] Ipv6(byte[] source, byte[] destination, params ushort[] tags)
    {
        var frame = new byte[14 + (4 * tags.Length) + 60];
        var ip = Ethernet(frame, 0x86dd, tags);
        frame[ip] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 4), 20);
        frame[ip + 6] = 6;
        frame[ip + 7] = 64;
        source.CopyTo(frame, ip + 8);
        destination.CopyTo(frame, ip + 24);
        frame[ip + 40 + 12] = 0x50;
        frame[ip + 40 + 13] = 0x02;
        return frame;
    }
}

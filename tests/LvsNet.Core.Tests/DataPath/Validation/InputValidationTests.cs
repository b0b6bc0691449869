using System.Buffers.Binary;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Validation;

/// <summary>
/// Input validation: a frame of each hostile class goes in, nothing comes out (or only what a
/// router sends: ICMP time exceeded), no connection is created, and exactly its reason counts.
/// The expected behaviour is the kernel's: ip_rcv_core (lengths, checksum), ip_route_input_slow
/// (martian sources), fib_validate_source (own addresses), ip_options_compile and ip_rcv_options
/// (accept_source_route=0), nf_conntrack_proto_tcp tcp_valid_flags and a listener's SYN rules,
/// ip_forward (TTL); docs/hardening.md lists where LvsNet deliberately differs (port 0, class E,
/// VLAN tags, oversize frames).
/// </summary>
public class InputValidationTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    public void MartianSource_IsDropped(string source)
    {
        var h = Harness();
        h.Feed(h.TcpFrom(Ipv4Address.Parse(source), 1000, TcpFlags.Syn));
        AssertDroppedOnly(h, DropReason.MartianSource);
    }

    [Theory]
    [InlineData("1.0.0.1")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.1")]
    [InlineData("223.255.255.255")]
    public void SourceNextToAMartianRange_IsForwarded(string source)
    {
        var h = Harness();
        h.Feed(h.TcpFrom(Ipv4Address.Parse(source), 1000, TcpFlags.Syn));
        Assert.Single(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void VipAsSource_IsDropped()
    {
        var h = Harness();
        h.Feed(h.TcpFrom(Vip, 1000, TcpFlags.Syn));
        AssertDroppedOnly(h, DropReason.OwnAddressSource);
    }

    [Fact]
    public void DirectorAddressAsSource_IsDropped()
    {
        var h = Harness();
        h.Feed(h.TcpFrom(Dip, 1000, TcpFlags.Syn));
        AssertDroppedOnly(h, DropReason.OwnAddressSource);
    }

    [Fact]
    public void BadHeaderChecksum_IsDropped()
    {
        var h = Harness();
        var frame = h.ClientTcp(1000, TcpFlags.Syn);
        frame[EthernetHeader.Length + 10] ^= 0x55;
        h.Feed(frame);
        AssertDroppedOnly(h, DropReason.BadIpv4Checksum);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(39 + 1 + 200)]
    public void TotalLengthShorterThanHeaderOrLongerThanFrame_IsDropped(int totalLength)
    {
        var h = Harness();
        var frame = h.ClientTcp(1000, TcpFlags.Syn);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(EthernetHeader.Length + 2), (ushort)totalLength);
        FixIpChecksum(frame);
        h.Feed(frame);
        AssertDroppedOnly(h, DropReason.BadIpv4Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(19)]
    public void RuntIpv4Frame_IsDropped(int ipBytes)
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn).AsSpan(0, EthernetHeader.Length + ipBytes).ToArray());
        AssertDroppedOnly(h, DropReason.Runt);
    }

    [Fact]
    public void PacketLongerThanTheMtu_IsDropped_OneAtTheMtuIsForwarded()
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(1000, TcpFlags.Ack, payload: 1500 - 40));
        Assert.Single(h.Device.Sent);
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(1000, TcpFlags.Ack, payload: 1500 - 40 + 1));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.Oversize]);
    }

    [Fact]
    public void Fragment_PassesTheChecks_AndIsHeldForItsDatagram()
    {
        var h = Harness();
        // 24 bytes of IP payload: a fragment with MF set holds a multiple of 8.
        var frame = h.ClientTcp(1000, TcpFlags.Syn, payload: 4);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(EthernetHeader.Length + 6), 0x2000);
        FixIpChecksum(frame);
        h.Feed(frame);

        // A first fragment: nothing leaves and no connection exists until the datagram is complete.
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
        Assert.Equal(1, h.Processor.Counters.FragmentsHeld);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    public static TheoryData<string, byte[]> MalformedOptions => new()
    {
        // A length byte missing at the end of the options.
        { "length missing", [1, 1, 1, 7] },

        // Length below 2 or past the header.
        { "length 1", [7, 1, 0, 0] },
        { "length past the header", [68, 40, 5, 0] },

        // Record route with a pointer below 4, or pointing where no address fits.
        { "rr pointer 3", [7, 7, 3, 0, 0, 0, 0, 0] },
        { "rr no room", [7, 6, 4, 0, 0, 0, 0, 0] },
        { "rr twice", [7, 3, 4, 7, 3, 4, 0, 0] },

        // Timestamp: length below 4, pointer below 5, full with the overflow counter at 15.
        { "ts length 3", [68, 3, 5, 0] },
        { "ts pointer 4", [68, 8, 4, 0, 0, 0, 0, 0] },
        { "ts overflowed", [68, 4, 5, 0xF0] },
        { "ts address no room", [68, 8, 5, 1, 0, 0, 0, 0] },

        // Source routes with a bad pointer, or two of them.
        { "lsrr pointer 3", [131, 7, 3, 10, 0, 0, 1, 0] },
        { "two source routes", [131, 3, 4, 137, 3, 4, 0, 0] },

        // Router alert shorter than 4.
        { "ra length 3", [148, 3, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(MalformedOptions))]
    public void MalformedOptions_AreDropped(string name, byte[] options)
    {
        Assert.NotNull(name);
        var h = Harness();
        h.Feed(WithOptions(h.ClientTcp(1000, TcpFlags.Syn), options));
        AssertDroppedOnly(h, DropReason.BadIpOptions);
    }

    [Theory]
    [InlineData(131)]
    [InlineData(137)]
    public void SourceRoute_IsDropped(byte type)
    {
        var h = Harness();
        h.Feed(WithOptions(h.ClientTcp(1000, TcpFlags.Syn), [type, 7, 4, 10, 77, 0, 11, 0]));
        AssertDroppedOnly(h, DropReason.SourceRoute);
    }

    public static TheoryData<string, byte[]> ValidOptions => new()
    {
        { "padding", [1, 1, 1, 0] },
        { "record route", [7, 7, 4, 0, 0, 0, 0, 0] },
        { "timestamp", [68, 8, 5, 0, 0, 0, 0, 0] },
        { "timestamp full, overflow 14", [68, 4, 5, 0xE0] },
        { "router alert", [148, 4, 0, 0] },
        { "unknown option", [30, 4, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(ValidOptions))]
    public void WellFormedOptions_AreForwarded(string name, byte[] options)
    {
        Assert.NotNull(name);
        var h = Harness();
        h.Feed(WithOptions(h.ClientTcp(1000, TcpFlags.Syn), options));
        Assert.Single(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Theory]
    [InlineData(TcpFlags.Syn | TcpFlags.Fin)]
    [InlineData(TcpFlags.Syn | TcpFlags.Rst)]
    [InlineData(TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg)]
    [InlineData(TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg)]
    [InlineData(TcpFlags.None)]
    [InlineData(TcpFlags.Fin)]
    [InlineData(TcpFlags.Fin | TcpFlags.Rst | TcpFlags.Ack)]
    public void FlagCombinationNoSegmentMayCarry_IsDropped(TcpFlags flags)
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, flags));
        AssertDroppedOnly(h, DropReason.InvalidTcpFlags);
    }

    [Fact]
    public void InvalidFlags_OnAnEstablishedConnection_AreDropped_AndLeaveItsStateAlone()
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn));
        h.Feed(h.ClientTcp(1000, TcpFlags.Ack));
        var index = h.Processor.Table.Find(new LvsNet.Core.Connections.ConnectionKey(IpProtocol.Tcp, Client, 1000, Vip, 80));
        var state = h.Processor.Table[index].State;
        h.Device.Sent.Clear();

        h.Feed(h.ClientTcp(1000, TcpFlags.Syn | TcpFlags.Fin));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.InvalidTcpFlags]);
        Assert.Equal(state, h.Processor.Table[index].State);
    }

    [Fact]
    public void SynAck_ForNoConnection_DoesNotOpenOne()
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn | TcpFlags.Ack));
        AssertDroppedOnly(h, DropReason.TcpCannotOpen);
    }

    [Theory]
    [InlineData(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr)]
    [InlineData(TcpFlags.Syn | TcpFlags.Urg)]
    [InlineData(TcpFlags.Syn | TcpFlags.Psh)]
    public void SynVariantsAListenerAccepts_OpenAConnection(TcpFlags flags)
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, flags));
        Assert.Single(h.Device.Sent);
        Assert.Equal(1, h.Processor.Table.Count);
    }

    [Theory]
    [InlineData(0, 80)]
    [InlineData(1000, 0)]
    public void TcpPortZero_IsDropped(int sourcePort, int destinationPort)
    {
        var h = Harness();
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, (ushort)sourcePort, Vip, (ushort)destinationPort, TcpFlags.Syn));
        AssertDroppedOnly(h, DropReason.PortZero);
    }

    [Theory]
    [InlineData(0, 53)]
    [InlineData(1000, 0)]
    public void UdpPortZero_IsDropped(int sourcePort, int destinationPort)
    {
        var h = Harness();
        h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, (ushort)sourcePort, Vip, (ushort)destinationPort));
        AssertDroppedOnly(h, DropReason.PortZero);
    }

    [Fact]
    public void VlanTaggedFrame_IsDropped()
    {
        var h = Harness();
        h.Feed(FrameBuilder.WithVlanTag(h.ClientTcp(1000, TcpFlags.Syn), 100));
        AssertDroppedOnly(h, DropReason.VlanTagged);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void TtlExpiring_IsAnsweredWithTimeExceeded_AndCreatesNoConnection(byte ttl)
    {
        var h = Harness();
        var syn = h.ClientTcp(1000, TcpFlags.Syn, ttl: ttl);
        h.Feed(syn);

        // RFC 792 / RFC 1812 4.3.2: type 11 code 0, from the router's address, quoting the IP header and 8 bytes.
        var icmp = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(icmp));
        Assert.Equal(DirectorMac, MacAddress.Read(icmp.AsSpan(6)));
        var ip = icmp.AsSpan(EthernetHeader.Length);
        Assert.Equal(1, ip[9]);
        Assert.Equal(Dip, BinaryPrimitives.ReadUInt32BigEndian(ip.Slice(12)));
        Assert.Equal(Client, BinaryPrimitives.ReadUInt32BigEndian(ip.Slice(16)));
        Assert.Equal(11, ip[20]);
        Assert.Equal(0, ip[21]);
        Assert.True(ip.Slice(28, 28).SequenceEqual(syn.AsSpan(EthernetHeader.Length, 28)));
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void TtlTwo_IsForwardedWithTtlOne()
    {
        var h = Harness();
        h.Feed(h.ClientTcp(1000, TcpFlags.Syn, ttl: 2));
        Assert.Equal(1, Assert.Single(h.Device.Sent)[EthernetHeader.Length + 8]);
    }

    [Fact]
    public void TimeExceeded_IsRateLimited_AndTheBucketRefillsEachTick()
    {
        // 1000 per second by default (the kernel's icmp_msgs_per_sec), given out per quarter-second tick.
        var h = Harness();
        for (var i = 0; i < 300; i++)
        {
            h.Feed(h.ClientTcp((ushort)(1000 + i), TcpFlags.Syn, ttl: 1));
        }

        Assert.Equal(250, h.Device.Sent.Count);
        Assert.Equal(50, h.Processor.Counters.IcmpErrorsSuppressed);
        Assert.Equal(300, h.Processor.Counters[DropReason.TtlExceeded]);

        h.Advance(TimeSpan.FromMilliseconds(300));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(2000, TcpFlags.Syn, ttl: 1));
        Assert.Single(h.Device.Sent);
    }

    [Fact]
    public void HostileFrames_AllocateNothing()
    {
        var h = Harness();
        h.Device.Record = false;
        var vlan = h.ClientTcp(1000, TcpFlags.Syn);
        var tagged = new byte[vlan.Length + 4];
        vlan.AsSpan(0, 12).CopyTo(tagged);
        tagged[12] = 0x81;
        CopyAfterTag(vlan, tagged);
        var frames = new[]
        {
            h.TcpFrom(Ipv4Address.Parse("127.0.0.1"), 1000, TcpFlags.Syn),
            h.TcpFrom(Vip, 1000, TcpFlags.Syn),
            WithOptions(h.ClientTcp(1000, TcpFlags.Syn), [7, 1, 0, 0]),
            WithOptions(h.ClientTcp(1000, TcpFlags.Syn), [131, 7, 4, 10, 77, 0, 11, 0]),
            WithOptions(h.ClientTcp(1000, TcpFlags.Syn), [1, 1, 1, 0]),
            h.ClientTcp(1000, TcpFlags.Syn | TcpFlags.Fin),
            h.ClientTcp(1000, TcpFlags.Syn | TcpFlags.Ack),
            h.ClientTcp(0, TcpFlags.Syn),
            h.ClientTcp(1000, TcpFlags.Syn, ttl: 1),
            h.ClientTcp(1000, TcpFlags.Ack, payload: 1500),
            tagged,
        };

        for (var i = 0; i < 10_000; i++)
        {
            h.Feed(frames[i % frames.Length]);
        }

        var before = AllocationMeter.Start();
        for (var i = 0; i < 100_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            h.Feed(frames[i % frames.Length]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void CopyAfterTag(byte[] untagged, byte[] tagged) => untagged.AsSpan(12).CopyTo(tagged.AsSpan(16));
    }

    private static DataPathHarness Harness()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        return h;
    }

    private static void AssertDroppedOnly(DataPathHarness h, DropReason reason)
    {
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[reason]);
        Assert.Equal(1, h.Processor.Counters.TotalDropped);
        Assert.Equal(0, h.Processor.Counters.Forwarded);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    /// <summary>Inserts IPv4 options after the 20-byte header (IHL, total length and checksum follow).</summary>
    private static byte[] WithOptions(byte[] frame, byte[] options)
    {
        Assert.Equal(0, options.Length % 4);
        const int Ip = EthernetHeader.Length;
        var result = new byte[frame.Length + options.Length];
        frame.AsSpan(0, Ip + 20).CopyTo(result);
        options.CopyTo(result.AsSpan(Ip + 20));
        frame.AsSpan(Ip + 20).CopyTo(result.AsSpan(Ip + 20 + options.Length));
        result[Ip] = (byte)(0x40 | ((20 + options.Length) / 4));
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(Ip + 2), (ushort)(result.Length - Ip));
        FixIpChecksum(result);
        return result;
    }

    /// <summary>RFC 791 header checksum, computed here rather than with the code under test.</summary>
    private static void FixIpChecksum(byte[] frame)
    {
        var header = frame.AsSpan(EthernetHeader.Length, (frame[EthernetHeader.Length] & 0x0F) * 4);
        header[10] = 0;
        header[11] = 0;
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += (uint)((header[i] << 8) | header[i + 1]);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(10), (ushort)~sum);
    }
}

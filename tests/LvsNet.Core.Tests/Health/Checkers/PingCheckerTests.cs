using System.Buffers.Binary;
using System.Net;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.Health.Checkers.LoopbackTargets;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>PING_CHECK: the echo request's bytes (RFC 792, RFC 4443), reply and error matching, and real pings of 127.0.0.1 and ::1.</summary>
public class PingCheckerTests
{
    private static readonly uint Target1 = Ipv4Address.Parse("10.0.0.11");
    private static readonly Ipv6Address Target6 = Ipv6Address.Parse("2001:db8::11");

    [Fact]
    public void BuildEchoRequest_Rfc792Layout_ChecksumVerifies()
    {
        var packet = PingChecker.BuildEchoRequest(0x1234, 7);
        Assert.Equal(8, packet[0]);
        Assert.Equal(0, packet[1]);
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
        Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)));

        // RFC 1071: the ones-complement sum over the whole message, checksum included, is 0xFFFF.
        uint sum = 0;
        for (var i = 0; i < packet.Length; i += 2)
        {
            sum += (uint)((packet[i] << 8) | (i + 1 < packet.Length ? packet[i + 1] : 0));
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        Assert.Equal(0xFFFFu, sum);
    }

    [Fact]
    public void Classify_EchoReply_MatchesSourceIdAndSequence()
    {
        Assert.True(PingChecker.Classify(Reply(Target1, 0x1234, 7), Target1, 0x1234, 7));
        Assert.Null(PingChecker.Classify(Reply(Target1, 0x1234, 8), Target1, 0x1234, 7));
        Assert.Null(PingChecker.Classify(Reply(Target1, 0x1235, 7), Target1, 0x1234, 7));
        Assert.Null(PingChecker.Classify(Reply(Ipv4Address.Parse("10.0.0.12"), 0x1234, 7), Target1, 0x1234, 7));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public void Classify_IcmpErrorQuotingOurRequest_IsADown(byte type)
    {
        Assert.False(PingChecker.Classify(Error(type, Target1, 0x1234, 7), Target1, 0x1234, 7));
        Assert.Null(PingChecker.Classify(Error(type, Target1, 0x9999, 7), Target1, 0x1234, 7));
        Assert.Null(PingChecker.Classify(Error(type, Ipv4Address.Parse("10.0.0.99"), 0x1234, 7), Target1, 0x1234, 7));
    }

    [Fact]
    public void Classify_EveryTruncation_IsIgnoredNeverThrown()
    {
        foreach (var packet in new[] { Reply(Target1, 1, 1), Error(3, Target1, 1, 1) })
        {
            for (var length = 0; length < packet.Length; length++)
            {
                var result = PingChecker.Classify(packet.AsSpan(0, length), Target1, 1, 1);
                Assert.True(result is null || length >= 28, $"length {length}");
            }
        }

        var badIhl = Reply(Target1, 1, 1);
        badIhl[0] = 0x44;
        Assert.Null(PingChecker.Classify(badIhl, Target1, 1, 1));
    }

    [RequiresRootFact]
    public async Task Check_Loopback_AnswersEcho()
    {
        using var cancel = new CancellationTokenSource(CheckTime);
        var result = await new PingChecker(Target(0)).CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        Assert.Equal("echo reply", result.Message);
        Assert.NotNull(result.Latency);
    }

    [Fact]
    public void BuildEchoRequest6_Rfc4443Layout()
    {
        var packet = PingChecker.BuildEchoRequest6(0xBEEF, 9);
        Assert.Equal(128, packet[0]);
        Assert.Equal(0, packet[1]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
        Assert.Equal(9, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)));
    }

    [Fact]
    public void ClassifyIpv6_EchoReply_MatchesSourceIdAndSequence()
    {
        Assert.True(PingChecker.ClassifyIpv6(Echo6(129, 0x1234, 7), Target6, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Echo6(129, 0x1234, 8), Target6, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Echo6(129, 0x1235, 7), Target6, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Echo6(129, 0x1234, 7), Ipv6Address.Parse("2001:db8::12"), Target6, 0x1234, 7));

        // Our own request looped back, a neighbour solicitation (135): not an answer.
        Assert.Null(PingChecker.ClassifyIpv6(Echo6(128, 0x1234, 7), Target6, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Echo6(135, 0x1234, 7), Target6, Target6, 0x1234, 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ClassifyIpv6_UnreachableOrTimeExceeded_AboutOurRequest_IsDown(byte type)
    {
        var router = Ipv6Address.Parse("2001:db8::1");
        Assert.False(PingChecker.ClassifyIpv6(Error6(type, Target6, 0x1234, 7), router, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Error6(type, Target6, 0x9999, 7), router, Target6, 0x1234, 7));
        Assert.Null(PingChecker.ClassifyIpv6(Error6(type, Ipv6Address.Parse("2001:db8::99"), 0x1234, 7), router, Target6, 0x1234, 7));
    }

    [Fact]
    public void ClassifyIpv6_TruncatedOrForeignQuotes_AreIgnored()
    {
        // The quote identifies our request once it holds the IPv6 header and the echo's first 8 bytes.
        var error = Error6(1, Target6, 1, 1);
        for (var length = 0; length <= error.Length; length++)
        {
            Assert.Equal(length >= 8 + 40 + 8 ? false : null, PingChecker.ClassifyIpv6(error.AsSpan(0, length), Target6, Target6, 1, 1));
        }

        var notIpv6 = (byte[])error.Clone();
        notIpv6[8] = 0x45;
        Assert.Null(PingChecker.ClassifyIpv6(notIpv6, Target6, Target6, 1, 1));
        var notIcmp = (byte[])error.Clone();
        notIcmp[8 + 6] = 17;
        Assert.Null(PingChecker.ClassifyIpv6(notIcmp, Target6, Target6, 1, 1));
    }

    [RequiresRootFact]
    public async Task Check_Ipv6Loopback_AnswersEcho()
    {
        using var cancel = new CancellationTokenSource(CheckTime);
        var target = new CheckTarget
        {
            Server = new RealServerKey(new ServiceKey(IpProtocol.Tcp, 0, 80, 0, Ipv6Address.Parse("2001:db8::100")), 0, 0, Ipv6Address.Parse("::1")),
            Endpoint = new IPEndPoint(IPAddress.IPv6Loopback, 0),
        };
        var result = await new PingChecker(target).CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        Assert.Equal("echo reply", result.Message);
        Assert.NotNull(result.Latency);
    }

    // An ICMPv6 echo message as a raw ICMPv6 socket delivers it (RFC 3542 §3: no IPv6 header).
    private static byte[] Echo6(byte type, ushort id, ushort sequence)
    {
        var icmp = new byte[8 + 16];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), sequence);
        return icmp;
    }

    // RFC 4443 §3.1/§3.3: type, code, checksum, 4 unused bytes, then the invoking packet: our
    // request's IPv6 header (next header 58, hop limit 64) and its ICMPv6 echo request.
    private static byte[] Error6(byte type, Ipv6Address requestDestination, ushort id, ushort sequence)
    {
        var request = PingChecker.BuildEchoRequest6(id, sequence);
        var message = new byte[8 + 40 + request.Length];
        message[0] = type;
        var header = message.AsSpan(8);
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)request.Length);
        header[6] = 58;
        header[7] = 64;
        Ipv6Address.Parse("2001:db8::2").WriteTo(header[8..]);
        requestDestination.WriteTo(header[24..]);
        request.CopyTo(message, 48);
        return message;
    }

    // An IPv4 header (20 bytes, protocol 1) from source followed by an ICMP message.
    private static byte[] Ip(uint source, uint destination, byte[] icmp)
    {
        var packet = new byte[20 + icmp.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), destination);
        icmp.CopyTo(packet, 20);
        return packet;
    }

    private static byte[] Reply(uint source, ushort id, ushort sequence)
    {
        var icmp = new byte[8 + 16];
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), sequence);
        return Ip(source, Ipv4Address.Parse("10.0.0.2"), icmp);
    }

    // An ICMP error from a router: type, code 1, unused, then our request's IP header and 8 bytes (RFC 792).
    private static byte[] Error(byte type, uint requestDestination, ushort id, ushort sequence)
    {
        var request = Ip(Ipv4Address.Parse("10.0.0.2"), requestDestination, PingChecker.BuildEchoRequest(id, sequence))[..28];
        var icmp = new byte[8 + request.Length];
        icmp[0] = type;
        icmp[1] = 1;
        request.CopyTo(icmp, 8);
        return Ip(Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("10.0.0.2"), icmp);
    }
}

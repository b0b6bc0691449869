using System.Buffers.Binary;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.Health.Checkers.LoopbackTargets;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>PING_CHECK: the echo request's bytes (RFC 792), reply and error matching, and a real ping of 127.0.0.1.</summary>
public class PingCheckerTests
{
    private static readonly uint Target1 = Ipv4Address.Parse("10.0.0.11");

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

using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;
using static LvsNet.Core.Tests.DataPath.Ipv6.Nat64IcmpTests;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// ICMPv6 errors about IPv6 NAT and FULLNAT connections, translated both ways. The expected error
/// quotes the packet its receiver really sent (the client's own segment, or the real server's own
/// reply), with only the hop limit the director left on it: translating the quote back must give
/// exactly that. The ICMPv6 checksum is computed by the test (<see cref="Nat64IcmpTests.Icmpv6Frame"/>).
/// </summary>
public class Icmpv6TranslationTests
{
    private const int Eth = 14;
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ErrorFromTheRealServer_AboutANatOrFullNatConnection_ReachesTheClientFromTheVip_QuotingItsOwnPacket(bool fullNat)
    {
        var h = Director(fullNat);
        var clientSyn = Tcp(Client, 40000, TcpFlags.Syn, payload: 4);
        h.Feed(clientSyn);
        var forwarded = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();

        // The real server: port unreachable, to whoever the packet came from (the client or the local address).
        var from = Ipv6Address.Read(forwarded.AsSpan(8));
        h.Feed(Icmpv6Frame(DirectorMac, Rs1Mac, Rs1, from, hopLimit: 64, Icmpv6.DestinationUnreachable, 4, 0, forwarded));

        var sent = Assert.Single(h.Device.Sent);
        var clientPacket = clientSyn.AsSpan(Eth).ToArray();
        clientPacket[7] = 63;
        var expected = Icmpv6Frame(ClientMac, DirectorMac, Vip, Client, hopLimit: 63, Icmpv6.DestinationUnreachable, 4, 0, clientPacket);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
        Assert.Equal(1, h.Processor.Counters.Icmpv6ErrorsForwarded);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PacketTooBigFromTheClient_AboutAReply_ReachesTheRealServer_QuotingItsOwnReply(bool fullNat)
    {
        var h = Director(fullNat);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var forwarded = Assert.Single(h.Device.Sent);
        var to = Ipv6Address.Read(forwarded.AsSpan(Eth + 8));
        var port = BinaryPrimitives.ReadUInt16BigEndian(forwarded.AsSpan(Eth + 40));
        h.Device.Sent.Clear();
        var serverReply = TcpReply(Rs1, Rs1Mac, to, port, TcpFlags.Syn | TcpFlags.Ack, payload: 10);
        h.Feed(serverReply);
        var toClient = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();

        // A router on the client's side: packet too big, MTU 1280, from a router address to the VIP.
        var router = Ipv6Address.Parse("2001:db8::fe");
        h.Feed(Icmpv6Message(router, Icmpv6.PacketTooBig, 0, 1280, toClient, hopLimit: 64));

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        var reply = serverReply.AsSpan(Eth).ToArray();
        reply[7] = 63;
        var expected = Icmpv6Frame(Rs1Mac, DirectorMac, fullNat ? Local : router, Rs1, hopLimit: 63, Icmpv6.PacketTooBig, 0, 1280, reply);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
    }

    [Fact]
    public void ErrorFromTheRealServer_AboutNoConnection_IsDropped()
    {
        var h = Director(fullNat: false);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var forwarded = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(forwarded.AsSpan(40), 40001);
        h.Feed(Icmpv6Frame(DirectorMac, Rs1Mac, Rs1, Client, hopLimit: 64, Icmpv6.DestinationUnreachable, 4, 0, forwarded));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[Core.DataPath.DropReason.NoConnection]);
    }

    private static Ipv6Harness Director(bool fullNat)
    {
        var h = fullNat
            ? new Ipv6Harness(edit: _ => LvsConfigReader.Parse($$"""
                director:
                  interface: fake0
                  address: 10.77.0.2/24
                  address6: 2001:db8::2/64
                virtual_services:
                  - protocol: tcp
                    address: {{Vip}}
                    port: 80
                    local_addresses: [{{Local}}]
                    real_servers:
                      - address: {{Rs1}}
                        port: {{NatTcpPort}}
                        method: fullnat
                """), address6: Ipv6Address.Parse("2001:db8::2"))
            : new Ipv6Harness(nat: true, address6: Ipv6Address.Parse("2001:db8::2"));
        h.ResolveRealServers();
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
        return h;
    }
}

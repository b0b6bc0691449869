using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

/// <summary>
/// The SYN-to-established signal of NAT and FULLNAT: the director sees the client's SYN, the
/// server's SYN-ACK and the client's ACK, and counts the time from the SYN to the transition to
/// ESTABLISHED on the server's per-worker handshake counters, allocation-free.
/// </summary>
public class HandshakeTimeTests
{
    private static DataPathHarness Harness(ForwardingMethod method, int capacity = 1024)
    {
        var h = new DataPathHarness(
            c => EditService(c, s => s with
            {
                LocalAddresses = method == ForwardingMethod.FullNat ? [Ipv4Address.Parse("10.77.0.50")] : [],
                RealServers = [.. s.RealServers.Select(r => r with { Method = method })],
            }),
            "rr",
            capacity);
        h.ResolveRealServers();
        Forwarding.FullNatForwardingTests.ResolveClient(h);
        return h;
    }

    // The server's SYN-ACK through the director: to the client (NAT) or to the local address (FULLNAT).
    private static byte[] ServerReply(DataPathHarness h, ForwardingMethod method, ushort port, TcpFlags flags, int payload = 0)
    {
        ref readonly var entry = ref h.Processor.Table[h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, port, Vip, 80))];
        var (address, mac) = entry.RealServerId == h.Runtime.Current!.Services[0].Servers[0].Id ? (Rs1, Rs1Mac) : (Rs2, Rs2Mac);
        return method == ForwardingMethod.Nat
            ? FrameBuilder.Tcp(DirectorMac, mac, address, 80, Client, port, flags, payload)
            : FrameBuilder.Tcp(DirectorMac, mac, address, 80, entry.LocalAddress, entry.LocalPort, flags, payload);
    }

    private static RealServerState ServerOf(DataPathHarness h, ushort port) =>
        h.Runtime.Current!.Services[0].Servers.Single(s => s.Id == h.Processor.Table[h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, port, Vip, 80))].RealServerId);

    [Theory]
    [InlineData(ForwardingMethod.Nat)]
    [InlineData(ForwardingMethod.FullNat)]
    public void Handshake_IsTimedFromTheSynToEstablished(ForwardingMethod method)
    {
        var h = Harness(method);
        h.Processor.BeginBatch();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var server = ServerOf(h, 40000);

        // 7 ms later the server answers, 3 ms after that the client's ACK establishes the connection.
        h.Advance(TimeSpan.FromMilliseconds(7));
        h.Processor.BeginBatch();
        h.Feed(ServerReply(h, method, 40000, TcpFlags.Syn | TcpFlags.Ack));
        Assert.Equal(0, server.Handshakes.Count);
        h.Advance(TimeSpan.FromMilliseconds(3));
        h.Processor.BeginBatch();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack));
        Assert.Equal(1, server.Handshakes.Count);
        // Microsecond resolution: the clock's truncation and the "seen" bit cost at most a few µs.
        Assert.InRange(server.Handshakes.TotalMicroseconds, 9_995, 10_005);

        // Data on the established connection does not count again.
        h.Advance(TimeSpan.FromMilliseconds(5));
        h.Processor.BeginBatch();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack | TcpFlags.Psh, 100));
        Assert.Equal(1, server.Handshakes.Count);
    }

    [Fact]
    public void DirectRouting_IsNotTimed()
    {
        // DR: the server answers the client directly, the director does not see the handshake.
        var h = Harness(ForwardingMethod.DirectRouting);
        h.Processor.BeginBatch();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Advance(TimeSpan.FromMilliseconds(10));
        h.Processor.BeginBatch();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack));
        Assert.All(h.Runtime.Current!.Services[0].Servers, s => Assert.Equal(0, s.Handshakes.Count));
    }

    [Theory]
    [InlineData(ForwardingMethod.Nat)]
    [InlineData(ForwardingMethod.FullNat)]
    public void Handshakes_AllocateNothingPerPacket(ForwardingMethod method)
    {
        // Whole handshakes (SYN, SYN-ACK through the director, ACK) on fresh ports, 1 ms apart each.
        var h = Harness(method, 1 << 16);
        h.Device.Record = false;
        const int Warm = 2_000, Measured = 20_000;
        var frames = new byte[Warm + Measured][];
        var replies = new byte[Warm + Measured][];
        var acks = new byte[Warm + Measured][];
        for (var i = 0; i < frames.Length; i++)
        {
            var port = (ushort)(10000 + i);
            frames[i] = h.ClientTcp(port, TcpFlags.Syn);
            acks[i] = h.ClientTcp(port, TcpFlags.Ack);
        }

        void Handshake(int i)
        {
            h.Processor.BeginBatch();
            h.Processor.OnFrame(frames[i], frames[i].Length);
            replies[i] ??= ServerReply(h, method, (ushort)(10000 + i), TcpFlags.Syn | TcpFlags.Ack);
            h.Processor.OnFrame(replies[i], replies[i].Length);
            h.Processor.OnFrame(acks[i], acks[i].Length);
        }

        // The replies depend on the scheduled server (and FULLNAT's local port): build them in a
        // first pass, then run the measured pass on a fresh table with the same schedule.
        for (var i = 0; i < frames.Length; i++)
        {
            Handshake(i);
        }

        var h2 = Harness(method, 1 << 16);
        h2.Device.Record = false;
        var servers = h2.Runtime.Current!.Services[0].Servers;
        for (var i = 0; i < Warm; i++)
        {
            h2.Processor.BeginBatch();
            h2.Processor.OnFrame(frames[i], frames[i].Length);
            h2.Processor.OnFrame(replies[i], replies[i].Length);
            h2.Processor.OnFrame(acks[i], acks[i].Length);
        }

        var countBefore = servers.Sum(s => s.Handshakes.Count);
        var sentBefore = h2.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = Warm; i < frames.Length; i++)
        {
            h2.Processor.BeginBatch();
            h2.Processor.OnFrame(frames[i], frames[i].Length);
            h2.Processor.OnFrame(replies[i], replies[i].Length);
            h2.Processor.OnFrame(acks[i], acks[i].Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(3 * Measured, h2.Device.Count - sentBefore);
        Assert.Equal(Measured, servers.Sum(s => s.Handshakes.Count) - countBefore);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;

namespace LvsNet.Benchmarks;

/// <summary>
/// <c>cpu-time ipv6 [dr|nat|tun|fullnat]</c>: an established flow's packets over IPv4 and over IPv6 in one
/// process and one director (both services configured, 1024 flows each, 512 B payload), measured
/// by process CPU time in alternating rounds (so drift on a shared machine hits both alike). DR:
/// the client packet; NAT and FULLNAT: the client packet and the real server's reply (FULLNAT's to
/// the connection's LIP:lport); TUN: the client packet
/// (IPv4-in-IPv4 against IPv6-in-IPv6). The goal for DR
/// is IPv6 ≤ 1.3 × IPv4.
/// </summary>
internal static class Ipv6CpuTime
{
    private const int Rounds = 10;
    private const int WarmUpRounds = 2;
    private const int PacketsPerRound = 4_000_000;
    private const int Flows = 1024;
    private const ushort NatPort = 8080;

    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");

    public static int Run(string method)
    {
        var fullNat = method == "fullnat";
        var nat = method == "nat" || fullNat;
        var tun = method == "tun";
        if (!nat && !tun && method != "dr")
        {
            Console.Error.WriteLine("usage: cpu-time ipv6 [dr|nat|tun|fullnat]");
            return 2;
        }

        var server = nat ? $"\n        port: {NatPort}\n        method: {method}" : tun ? "\n        method: tun" : string.Empty;
        var address6 = tun ? "\n  address6: 2001:db8::2/64" : string.Empty;
        var pool4 = fullNat ? "\n    local_addresses: [10.77.0.50]" : string.Empty;
        var pool6 = fullNat ? "\n    local_addresses: [2001:db8::50]" : string.Empty;
        var runtime = new LvsRuntime();
        runtime.Apply(LvsConfigReader.Parse($"""
            director:
              interface: bench0
              address: 10.77.0.2/24{address6}
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: wrr{pool4}
                real_servers:
                  - address: 10.77.0.11
                    weight: 3{server}
                  - address: 10.77.0.12{server}
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                scheduler: wrr{pool6}
                real_servers:
                  - address: 2001:db8::11
                    weight: 3{server}
                  - address: 2001:db8::12{server}
            """));
        var device = new FakeInjectionDevice { Record = false };
        var processor = new PacketProcessor(runtime, new FrameTransmitter(device), new DataPathOptions { Mac = DirectorMac, Address = Ipv4Address.Parse("10.77.0.2"), Address6 = tun ? Ipv6Address.Parse("2001:db8::2") : null, TableCapacity = 1 << 16 }, new TestTimeProvider());
        processor.BeginBatch();

        var client4 = Ipv4Address.Parse("10.77.0.10");
        var vip4 = Ipv4Address.Parse("10.77.0.100");
        var client6 = Ipv6Address.Parse("2001:db8::10");
        var vip6 = Ipv6Address.Parse("2001:db8::100");

        // The real servers answer: ARP for IPv4, solicited advertisements for IPv6; for NAT the
        // client too (the replies' next hop), after the director asked for it.
        if (nat)
        {
            processor.Neighbours.TryResolve(client4, processor.Now, out _);
            processor.Neighbours6.TryResolve(client6, processor.Now, out _);
        }

        foreach (var (ip, mac) in new[] { ("10.77.0.11", "02:00:00:00:00:11"), ("10.77.0.12", "02:00:00:00:00:12"), ("10.77.0.10", "02:00:00:00:00:10") })
        {
            var reply = FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, MacAddress.Parse(mac), Ipv4Address.Parse(ip), DirectorMac, Ipv4Address.Parse("10.77.0.2"));
            processor.OnFrame(reply, reply.Length);
        }

        foreach (var (ip, mac) in new[] { ("2001:db8::11", "02:00:00:00:00:11"), ("2001:db8::12", "02:00:00:00:00:12"), ("2001:db8::10", "02:00:00:00:00:10") })
        {
            var na = new byte[NeighborDiscovery.FrameLength];
            var target = Ipv6Address.Parse(ip);
            NeighborDiscovery.WriteFrame(na, Icmpv6.NeighborAdvertisement, DirectorMac, MacAddress.Parse(mac), target, processor.Neighbours6.LinkLocal, target, solicited: true, overrideFlag: true);
            processor.OnFrame(na, na.Length);
        }

        var v4 = new byte[Flows][];
        var v6 = new byte[Flows][];
        var replies4 = new byte[Flows][];
        var replies6 = new byte[Flows][];
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(1024 + i);
            var syn = FrameBuilder.Tcp(DirectorMac, ClientMac, client4, port, vip4, 80, TcpFlags.Syn);
            processor.OnFrame(syn, syn.Length);
            v4[i] = FrameBuilder.Tcp(DirectorMac, ClientMac, client4, port, vip4, 80, TcpFlags.Ack | TcpFlags.Psh, 512);
            var syn6 = Tcp6(client6, port, vip6, 80, syn: true, 0);
            processor.OnFrame(syn6, syn6.Length);
            v6[i] = Tcp6(client6, port, vip6, 80, syn: false, 512);
            if (nat)
            {
                // The reply comes from the server the flow was scheduled to.
                var servers = processor.Snapshot!.ServersById;
                var entry4 = processor.Table[processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, client4, port, vip4, 80))];
                var entry6 = processor.Table6[processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, client6, port, vip6, 80))];
                var rs4 = servers[entry4.RealServerId]!;
                var rs6 = servers[entry6.RealServerId]!;

                // NAT replies go to the client, FULLNAT replies to the connection's LIP:lport.
                var (to4, toPort4) = fullNat ? (entry4.LocalAddress, entry4.LocalPort) : (client4, port);
                var (to6, toPort6) = fullNat ? (entry6.LocalAddress, entry6.LocalPort) : (client6, port);
                replies4[i] = FrameBuilder.Tcp(DirectorMac, MacAddress.Parse("02:00:00:00:00:11"), rs4.Address, NatPort, to4, toPort4, TcpFlags.Ack | TcpFlags.Psh, 512);
                replies6[i] = Tcp6(rs6.Address6, NatPort, to6, toPort6, syn: false, 512);
            }
        }

        if (processor.Table.Count != Flows || processor.Table6.Count != Flows)
        {
            throw new InvalidOperationException($"{processor.Table.Count} IPv4 and {processor.Table6.Count} IPv6 flows created, {Flows} each expected");
        }

        var series = nat ? new[] { v4, v6, replies4, replies6 } : new[] { v4, v6 };
        var best = new double[series.Length];
        Array.Fill(best, double.MaxValue);
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < Rounds; round++)
        {
            for (var s = 0; s < series.Length; s++)
            {
                var ns = Measure(process, processor, series[s]);
                if (round >= WarmUpRounds)
                {
                    best[s] = Math.Min(best[s], ns);
                }
            }
        }

        var expected = (long)Rounds * PacketsPerRound * series.Length;
        if (device.Count < expected)
        {
            throw new InvalidOperationException($"{device.Count} frames sent, at least {expected} expected: not every packet was forwarded");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} IPv4  established client packet {best[0],7:F1} ns CPU per packet"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} IPv6  established client packet {best[1],7:F1} ns CPU per packet"));
        if (nat)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} IPv4  established reply         {best[2],7:F1} ns CPU per packet"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} IPv6  established reply         {best[3],7:F1} ns CPU per packet"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"IPv6 / IPv4 = {best[1] / best[0]:F2} (client packet), {best[3] / best[2]:F2} (reply)"));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"IPv6 / IPv4 = {best[1] / best[0]:F2} (goal <= 1.30)"));
        }

        return 0;
    }

    private static double Measure(Process process, PacketProcessor processor, byte[][] frames)
    {
        process.Refresh();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < PacketsPerRound; i++)
        {
            var frame = frames[i & (Flows - 1)];
            processor.OnFrame(frame, frame.Length);
        }

        process.Refresh();
        return (process.TotalProcessorTime - before).TotalNanoseconds / PacketsPerRound;
    }

    private static byte[] Tcp6(Ipv6Address source, ushort sourcePort, Ipv6Address destination, ushort destinationPort, bool syn, int payload)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { HopLimit = 64 };
        var tcp = new TcpPacket(sourcePort, destinationPort) { PayloadData = new byte[payload], SequenceNumber = 1000, WindowSize = 512, Synchronize = syn, Acknowledgment = !syn, Push = !syn, AcknowledgmentNumber = syn ? 0u : 2000u };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        var eth = new EthernetPacket(PhysicalAddress.Parse("02-00-00-00-00-10"), PhysicalAddress.Parse("02-00-00-00-00-02"), EthernetType.IPv6) { PayloadPacket = ip };
        return eth.Bytes;
    }
}

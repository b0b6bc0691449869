using System.Net.NetworkInformation;
using BenchmarkDotNet.Attributes;
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
/// NAT64 against IPv4 FULLNAT in one run: one director with an IPv4 FULLNAT service (10.77.0.100:80)
/// and an IPv6 service to the same IPv4 servers (NAT64, [2001:db8::100]:80), both from the local
/// address 10.77.0.50, 1024 established flows each, 512 B payload. Rows: the client's packet
/// (IPv4 → IPv4 rewrite, or IPv6 → IPv4 translation) and the real server's reply to LIP:lport
/// (IPv4 → IPv4, or IPv4 → IPv6 translation).
/// </summary>
[MemoryDiagnoser]
public class Nat64Benchmarks
{
    private const int Flows = 1024;
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");

    private PacketProcessor _processor = null!;
    private byte[][] _client = null!;
    private byte[][] _replies = null!;
    private int _next;

    /// <summary>IPv4 FULLNAT or NAT64.</summary>
    [Params("fullnat4", "nat64")]
    public string Path { get; set; } = "nat64";

    /// <summary>Frames handed to the processor.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Frames the processor forwarded (the check that every one was).</summary>
    public long Forwarded => _processor.Counters.Forwarded;

    [GlobalSetup]
    public void Setup()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(LvsConfigReader.Parse("""
            director:
              interface: bench0
              address: 10.77.0.2/24
              address6: 2001:db8::2/64
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: wrr
                local_addresses: [10.77.0.50]
                real_servers:
                  - address: 10.77.0.11
                    port: 8080
                    weight: 3
                    method: fullnat
                  - address: 10.77.0.12
                    port: 8080
                    method: fullnat
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                scheduler: wrr
                local_addresses: [10.77.0.50]
                real_servers:
                  - address: 10.77.0.11
                    port: 8080
                    weight: 3
                    method: fullnat
                  - address: 10.77.0.12
                    port: 8080
                    method: fullnat
            """));
        var device = new FakeInjectionDevice { Record = false };
        _processor = new PacketProcessor(runtime, new FrameTransmitter(device), new DataPathOptions { Mac = DirectorMac, Address = Ipv4Address.Parse("10.77.0.2"), Address6 = Ipv6Address.Parse("2001:db8::2"), TableCapacity = 1 << 16 }, new TestTimeProvider());
        _processor.BeginBatch();

        var client4 = Ipv4Address.Parse("10.77.0.10");
        var vip4 = Ipv4Address.Parse("10.77.0.100");
        var client6 = Ipv6Address.Parse("2001:db8::10");
        var vip6 = Ipv6Address.Parse("2001:db8::100");
        _processor.Neighbours.TryResolve(client4, _processor.Now, out _);
        _processor.Neighbours6.TryResolve(client6, _processor.Now, out _);
        foreach (var (ip, mac) in new[] { ("10.77.0.11", "02:00:00:00:00:11"), ("10.77.0.12", "02:00:00:00:00:12"), ("10.77.0.10", "02:00:00:00:00:10") })
        {
            var reply = FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, MacAddress.Parse(mac), Ipv4Address.Parse(ip), DirectorMac, Ipv4Address.Parse("10.77.0.2"));
            _processor.OnFrame(reply, reply.Length);
        }

        var na = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(na, Icmpv6.NeighborAdvertisement, DirectorMac, ClientMac, client6, _processor.Neighbours6.LinkLocal, client6, solicited: true, overrideFlag: true);
        _processor.OnFrame(na, na.Length);

        _client = new byte[Flows][];
        _replies = new byte[Flows][];
        var servers = _processor.Snapshot!.ServersById;
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(1024 + i);
            uint server;
            uint local;
            ushort localPort;
            if (Path == "nat64")
            {
                var syn = Tcp6(client6, port, vip6, syn: true, 0);
                _processor.OnFrame(syn, syn.Length);
                _client[i] = Tcp6(client6, port, vip6, syn: false, 512);
                ref readonly var entry = ref _processor.Table6[_processor.Table6.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, client6, port, vip6, 80))];
                (server, local, localPort) = (servers[entry.RealServerId]!.Address, (uint)entry.LocalAddress.Low, entry.LocalPort);
            }
            else
            {
                var syn = FrameBuilder.Tcp(DirectorMac, ClientMac, client4, port, vip4, 80, TcpFlags.Syn);
                _processor.OnFrame(syn, syn.Length);
                _client[i] = FrameBuilder.Tcp(DirectorMac, ClientMac, client4, port, vip4, 80, TcpFlags.Ack | TcpFlags.Psh, 512);
                ref readonly var entry = ref _processor.Table[_processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, client4, port, vip4, 80))];
                (server, local, localPort) = (servers[entry.RealServerId]!.Address, entry.LocalAddress, entry.LocalPort);
            }

            var serverMac = MacAddress.Parse(server == Ipv4Address.Parse("10.77.0.11") ? "02:00:00:00:00:11" : "02:00:00:00:00:12");
            _replies[i] = FrameBuilder.Tcp(DirectorMac, serverMac, server, 8080, local, localPort, TcpFlags.Ack | TcpFlags.Psh, 512, acknowledgment: 2000);
        }
    }

    [Benchmark(Description = "established flow, client packet (512 B payload)")]
    public void ClientPacket()
    {
        var frame = _client[_next++ & (Flows - 1)];
        _processor.OnFrame(frame, frame.Length);
        FramesSent++;
    }

    [Benchmark(Description = "established flow, real server's reply to LIP:lport (512 B payload)")]
    public void Reply()
    {
        var frame = _replies[_next++ & (Flows - 1)];
        _processor.OnFrame(frame, frame.Length);
        FramesSent++;
    }

    [GlobalCleanup]
    public void AssertForwarded()
    {
        // Every frame handed over must have been forwarded (the setup's SYNs and ARP are in the count too).
        if (Forwarded < FramesSent)
        {
            throw new InvalidOperationException($"{Forwarded} frames forwarded, {FramesSent} handed over: not every packet went through");
        }
    }

    private static byte[] Tcp6(Ipv6Address source, ushort sourcePort, Ipv6Address destination, bool syn, int payload)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { HopLimit = 64 };
        var tcp = new TcpPacket(sourcePort, 80) { PayloadData = new byte[payload], SequenceNumber = 1000, WindowSize = 512, Synchronize = syn, Acknowledgment = !syn, Push = !syn, AcknowledgmentNumber = syn ? 0u : 2000u };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        var eth = new EthernetPacket(PhysicalAddress.Parse("02-00-00-00-00-10"), PhysicalAddress.Parse("02-00-00-00-00-02"), EthernetType.IPv6) { PayloadPacket = ip };
        return eth.Bytes;
    }
}

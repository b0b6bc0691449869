using BenchmarkDotNet.Attributes;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Testing;

namespace LvsNet.Benchmarks;

/// <summary>
/// What <c>director.vlan</c> costs per packet: an established DR flow's client packet (512 B payload)
/// on an untagged segment (<see cref="Vlan"/> 0, the reference) and on VLAN 100 of a trunk (the tag
/// taken off on receive, put on at send: two copies of the frame).
/// </summary>
[MemoryDiagnoser]
public class VlanBenchmarks
{
    private const int Flows = 1024;
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");
    private static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    private static readonly uint Vip = Ipv4Address.Parse("10.77.0.100");
    private static readonly uint Client = Ipv4Address.Parse("10.77.0.10");

    private PacketProcessor _processor = null!;
    private byte[][] _established = null!;
    private int _next;

    [Params(0, 100)]
    public ushort Vlan { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(new LvsConfig
        {
            Director = new DirectorConfig { Interface = "bench0", Address = Dip, Vlan = Vlan },
            VirtualServices =
            [
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Tcp,
                    Address = Vip,
                    Port = 80,
                    Scheduler = "wrr",
                    RealServers =
                    [
                        new RealServerConfig { Address = Ipv4Address.Parse("10.77.0.11"), Port = 80, Weight = 3 },
                        new RealServerConfig { Address = Ipv4Address.Parse("10.77.0.12"), Port = 80, Weight = 1 },
                    ],
                },
            ],
        });
        var device = new FakeInjectionDevice { Record = false };
        _processor = new PacketProcessor(runtime, new FrameTransmitter(device, vlan: Vlan), new DataPathOptions { Mac = DirectorMac, Address = Dip, TableCapacity = 1 << 16, Vlan = Vlan }, new TestTimeProvider());
        _processor.BeginBatch();
        foreach (var (ip, mac) in new[] { ("10.77.0.11", "02:00:00:00:00:11"), ("10.77.0.12", "02:00:00:00:00:12") })
        {
            Feed(Tagged(FrameBuilder.Arp(ArpOperation.Reply, MacAddress.Parse(mac), Ipv4Address.Parse(ip), DirectorMac, Dip)));
        }

        _established = new byte[Flows][];
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(1024 + i);
            Feed(Tagged(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Syn)));
            _established[i] = Tagged(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 512));
        }

        if (_processor.Counters.TotalDropped != 0 || _processor.Table.Count != Flows)
        {
            throw new InvalidOperationException($"setup: {_processor.Table.Count} connections, {_processor.Counters.TotalDropped} frames dropped");
        }
    }

    [Benchmark(Description = "established DR flow, client packet (512 B payload)")]
    public void EstablishedFlow()
    {
        var frame = _established[_next++ & (Flows - 1)];
        _processor.OnFrame(frame, frame.Length);
    }

    private void Feed(byte[] frame) => _processor.OnFrame(frame, frame.Length);

    private byte[] Tagged(byte[] frame) => Vlan == 0 ? frame : FrameBuilder.WithVlanTag(frame, Vlan);
}

using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Testing;

namespace LvsNet.Core.Tests.DataPath;

/// <summary>A data path wired to fake devices, with the lab's addresses.</summary>
internal sealed class DataPathHarness
{
    public static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    public static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");
    public static readonly MacAddress Rs1Mac = MacAddress.Parse("02:00:00:00:00:11");
    public static readonly MacAddress Rs2Mac = MacAddress.Parse("02:00:00:00:00:12");
    public static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    public static readonly uint Vip = Ipv4Address.Parse("10.77.0.100");
    public static readonly uint Client = Ipv4Address.Parse("10.77.0.10");
    public static readonly uint Rs1 = Ipv4Address.Parse("10.77.0.11");
    public static readonly uint Rs2 = Ipv4Address.Parse("10.77.0.12");

    public DataPathHarness(string scheduler = "rr", int tableCapacity = 1024, params (uint Address, int Weight)[] servers)
        : this(c => c, scheduler, tableCapacity, servers)
    {
    }

    public DataPathHarness(Func<LvsConfig, LvsConfig> edit, string scheduler = "rr", int tableCapacity = 1024, params (uint Address, int Weight)[] servers)
        : this(0, edit, scheduler, tableCapacity, servers)
    {
    }

    /// <summary>A director on 802.1Q VLAN <paramref name="vlan"/> of a trunk (<c>director.vlan</c>; 0 for an untagged segment).</summary>
    public DataPathHarness(ushort vlan, Func<LvsConfig, LvsConfig> edit, string scheduler = "rr", int tableCapacity = 1024, params (uint Address, int Weight)[] servers)
    {
        if (servers.Length == 0)
        {
            servers = [(Rs1, 1), (Rs2, 1)];
        }

        Runtime.Apply(edit(Config(scheduler, servers)));
        Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device, vlan: vlan), new DataPathOptions { Mac = DirectorMac, Address = Dip, TableCapacity = tableCapacity, Vlan = vlan }, Time);
        Processor.BeginBatch();
    }

    public LvsRuntime Runtime { get; } = new();

    public FakeInjectionDevice Device { get; } = new();

    public TestTimeProvider Time { get; } = new();

    public PacketProcessor Processor { get; }

    public static LvsConfig Config(string scheduler, params (uint Address, int Weight)[] servers) => new()
    {
        Director = new DirectorConfig { Interface = "fake0", Address = Dip, PrefixLength = 24 },
        VirtualServices =
        [
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp,
                Address = Vip,
                Port = 80,
                Scheduler = scheduler,
                RealServers = [.. servers.Select(s => new RealServerConfig { Address = s.Address, Port = 80, Weight = s.Weight })],
            },
        ],
    };

    /// <summary>Answers the ARP requests the director sent at start, so real servers are resolved.</summary>
    public void ResolveRealServers()
    {
        Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));
        Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2, DirectorMac, Dip));
        Device.Sent.Clear();
    }

    public void Feed(byte[] frame) => Processor.OnFrame(frame, frame.Length);

    public static LvsConfig EditService(LvsConfig config, Func<VirtualServiceConfig, VirtualServiceConfig> edit) =>
        config with { VirtualServices = [.. config.VirtualServices.Select(edit)] };

    public byte[] TcpFrom(uint client, ushort clientPort, TcpFlags flags, ushort port = 80) =>
        FrameBuilder.Tcp(DirectorMac, ClientMac, client, clientPort, Vip, port, flags);

    public MacAddress LastDestination => MacAddress.Read(Device.Sent[^1]);

    public byte[] ClientTcp(ushort clientPort, TcpFlags flags, int payload = 0, byte ttl = 64) =>
        FrameBuilder.Tcp(DirectorMac, ClientMac, Client, clientPort, Vip, 80, flags, payload, ttl);

    public void Advance(TimeSpan delta)
    {
        Time.Advance(delta);
        Processor.BeginBatch();
    }
}

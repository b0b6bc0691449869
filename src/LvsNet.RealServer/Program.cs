using System.Runtime.InteropServices;
using LvsNet.PacketIo;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tun;
using LvsNet.Packets;
using LvsNet.RealServer;

// lvsnet-rs: prepares a real server for LvsNet's forwarding methods.
const string Usage =
    """
    usage: lvsnet-rs dr up VIP...                      VIPs on lo, arp_ignore=1 and arp_announce=2
                                                      (an IPv6 VIP goes on lo as VIP/128; IPv6 needs no sysctl)
           lvsnet-rs dr down VIP...                    remove the VIPs from lo; restore the ARP sysctls
                                                      once no VIP added by dr up is left
           lvsnet-rs nat check DIP                     check that the default route goes through the director
           lvsnet-rs tun run VIP... [--interface IF] [--device NAME] [--userspace]
                                                      tunnel decapsulation: the kernel's tunl0 where present
                                                      and every VIP is IPv4, else (or with --userspace) a
                                                      userspace decapsulator of IPv4-in-IPv4, IPv6-in-IPv4,
                                                      IPv4-in-IPv6 and IPv6-in-IPv6 (runs until SIGTERM)
           lvsnet-rs vlan run INTERFACE VLAN            put INTERFACE on 802.1Q VLAN (1-4094) of a trunk where the
                                                      kernel has no VLAN devices (no 8021q): frames sent leave
                                                      tagged, that VLAN's frames arrive untagged (tcx programs,
                                                      Linux 6.6+; runs until SIGTERM, then detaches them)
           lvsnet-rs --help | --version
    """;

if (args is ["--help" or "-h", ..])
{
    Console.WriteLine(Usage);
    return 0;
}

if (args is ["--version" or "-v", ..])
{
    var version = typeof(TunnelDecapsulator).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).FirstOrDefault() as System.Reflection.AssemblyInformationalVersionAttribute;
    Console.WriteLine($"lvsnet-rs v{version?.InformationalVersion.Split('+')[0] ?? "0.0.0"} (LvsNet real-server setup)");
    return 0;
}

if (args.Length < 2)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

if (args is ["vlan", "run", ..])
{
    return args is [_, _, var vlanInterface, var vlanText] && ushort.TryParse(vlanText, out var vlanId) && vlanId is >= 1 and <= 4094
        ? RunVlan(vlanInterface, vlanId)
        : Fail("vlan run needs an interface and a VLAN id from 1 to 4094");
}

var rest = args.Skip(2).ToList();
string? Option(string name, string fallback)
{
    var i = rest.IndexOf(name);
    if (i < 0)
    {
        return fallback;
    }

    if (i + 1 >= rest.Count)
    {
        return null;
    }

    var value = rest[i + 1];
    rest.RemoveRange(i, 2);
    return value;
}

var userspace = rest.Remove("--userspace");
var networkInterface = Option("--interface", "eth0");
var deviceName = Option("--device", "lvstun0");
if (networkInterface is null || deviceName is null)
{
    Console.Error.WriteLine("lvsnet-rs: --interface and --device need a value");
    return 2;
}

var addresses = new List<uint>();
var addresses6 = new List<LvsNet.Packets.Ipv6.Ipv6Address>();
foreach (var text in rest)
{
    if (args[0] is "dr" or "tun" && LvsNet.Packets.Ipv6.Ipv6Address.TryParse(text, out var address6))
    {
        // IPv6 DR: the VIP on lo is all it takes (Linux answers neighbour solicitations only for
        // addresses on the receiving interface), so no sysctl is changed for it.
        addresses6.Add(address6);
        continue;
    }

    if (!Ipv4Address.TryParse(text, out var address))
    {
        Console.Error.WriteLine(args[0] is "dr" or "tun" ? $"lvsnet-rs: '{text}' is not an IPv4 or IPv6 address" : $"lvsnet-rs: '{text}' is not an IPv4 address");
        return 2;
    }

    addresses.Add(address);
}

if (addresses.Count == 0 && addresses6.Count == 0)
{
    Console.Error.WriteLine("lvsnet-rs: name at least one address");
    Console.Error.WriteLine(Usage);
    return 2;
}

return (args[0], args[1]) switch
{
    ("dr", "up") => (addresses.Count == 0 || RealServerSetup.DirectRoutingUp(addresses)) & RealServerSetup.DirectRoutingUp6(addresses6) ? 0 : 1,
    ("dr", "down") => (addresses.Count == 0 || RealServerSetup.DirectRoutingDown(addresses)) & RealServerSetup.DirectRoutingDown6(addresses6) ? 0 : 1,
    ("nat", "check") => RealServerSetup.NatCheck(addresses[0]) ? 0 : 1,
    ("tun", "run") => RunTunnel(addresses, addresses6, userspace, networkInterface, deviceName),
    _ => Fail($"unknown command '{args[0]} {args[1]}'"),
};

static int Fail(string message)
{
    Console.Error.WriteLine($"lvsnet-rs: {message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

static int RunVlan(string networkInterface, ushort vlan)
{
    try
    {
        using var port = LvsNet.PacketIo.Vlan.TcxVlanPort.Attach(networkInterface, vlan);
        using var stop = new ManualResetEventSlim();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        Console.WriteLine($"{networkInterface} is on VLAN {vlan}: frames sent are tagged, the VLAN's frames arrive untagged");
        stop.Wait();
        Console.WriteLine($"{networkInterface}: VLAN {vlan} detached");
        return 0;
    }
    catch (LvsNet.PacketIo.Bpf.XdpException ex)
    {
        Console.Error.WriteLine($"lvsnet-rs: {ex.Message}");
        return 1;
    }
}

static int RunTunnel(List<uint> vips, List<LvsNet.Packets.Ipv6.Ipv6Address> vips6, bool userspace, string networkInterface, string deviceName)
{
    // tunl0 takes IPv4-in-IPv4 only: IPv6 VIPs (or an IPv6 outer header) need the userspace decapsulator.
    if (!userspace && vips6.Count == 0 && RealServerSetup.KernelIpipAvailable())
    {
        return RealServerSetup.KernelTunnelUp(vips) ? 0 : 1;
    }

    if (!RealServerSetup.UserspaceTunnelUp(vips, vips6))
    {
        RealServerSetup.UserspaceTunnelDown(vips, vips6);
        return 1;
    }

    try
    {
        using var tun = TunDevice.Open(deviceName);
        if (!HostCommands.Step($"{deviceName} up", null, "ip", "link", "set", deviceName, "up")
            || !RealServerSetup.RelaxReversePath(deviceName)
            || (vips6.Count > 0 && !HostCommands.Sysctl($"net.ipv6.conf.{deviceName}.disable_ipv6", "0")))
        {
            return 1;
        }

        using var capture = new LiveCaptureDevice(new DeviceConfiguration(networkInterface)
        {
            Promiscuous = false,
            BufferSizeBytes = 8 * 1024 * 1024,
            Filter = "ip proto 4 or ip proto 41 or ip6 proto 4 or ip6 proto 41",
        });
        var decapsulator = new TunnelDecapsulator(tun, vips, vips6);
        var stopping = false;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping = true;
            capture.Wake();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        Console.WriteLine($"decapsulating IPv4/IPv6 tunnels from {networkInterface} into {deviceName} for {string.Join(", ", vips.Select(Ipv4Address.Format).Concat(vips6.Select(v => v.ToString())))}");
        while (!Volatile.Read(ref stopping))
        {
            if (capture.Dispatch(decapsulator, 64) == 0)
            {
                capture.Wait(TimeSpan.FromSeconds(1));
            }
        }

        Console.WriteLine($"stopped: {decapsulator.Delivered} packets delivered, {decapsulator.Dropped} dropped");
        return 0;
    }
    catch (PcapException ex)
    {
        Console.Error.WriteLine($"lvsnet-rs: {ex.Message}");
        return 1;
    }
    finally
    {
        RealServerSetup.UserspaceTunnelDown(vips, vips6);
    }
}

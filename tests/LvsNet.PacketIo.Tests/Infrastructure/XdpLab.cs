using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>
/// Two network namespaces created for one AF_XDP test, joined by a veth pair: <see cref="DeviceInterface"/>
/// (address <see cref="DeviceAddress"/>) in <see cref="DeviceNamespace"/>, where the XDP program and the
/// socket live, and <see cref="PeerInterface"/> (address <see cref="PeerAddress"/>) in <see cref="PeerNamespace"/>,
/// which sends and receives test traffic. IPv6 is off in both, so the kernels send nothing of their own.
/// <see cref="Dispose"/> deletes both namespaces, and with them the veth pair.
/// </summary>
internal sealed class XdpLab : IDisposable
{
    /// <summary>The veth end the AF_XDP device attaches to.</summary>
    public const string DeviceInterface = "a";

    /// <summary>The veth end in the peer namespace.</summary>
    public const string PeerInterface = "b";

    /// <summary>The kernel's own address on <see cref="DeviceInterface"/>.</summary>
    public static readonly byte[] DeviceAddress = [10, 201, 0, 1];

    /// <summary>The peer's kernel address on <see cref="PeerInterface"/>.</summary>
    public static readonly byte[] PeerAddress = [10, 201, 0, 2];

    private static readonly TimeSpan LinkUpLimit = TimeSpan.FromSeconds(10);

    private readonly List<string> _namespaces = [];

    private XdpLab(string suffix)
    {
        DeviceNamespace = "lvt-xdp-" + suffix;
        PeerNamespace = "lvt-xdpp-" + suffix;
    }

    /// <summary>The namespace holding <see cref="DeviceInterface"/>.</summary>
    public string DeviceNamespace { get; }

    /// <summary>The namespace holding <see cref="PeerInterface"/>.</summary>
    public string PeerNamespace { get; }

    /// <summary>Creates both namespaces and the veth pair, with addresses, and waits until both ends are up.</summary>
    public static XdpLab Create()
    {
        var lab = new XdpLab(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        try
        {
            foreach (var name in new[] { lab.DeviceNamespace, lab.PeerNamespace })
            {
                ExternalCommand.Run("ip", "netns", "add", name);
                lab._namespaces.Add(name);
                ExternalCommand.Run("ip", "netns", "exec", name, "sysctl", "-qw",
                    "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            }

            ExternalCommand.Run("ip", "-n", lab.DeviceNamespace, "link", "add", "name", DeviceInterface, "type", "veth",
                "peer", "name", PeerInterface, "netns", lab.PeerNamespace);
            ExternalCommand.Run("ip", "-n", lab.DeviceNamespace, "address", "add", "10.201.0.1/24", "dev", DeviceInterface);
            ExternalCommand.Run("ip", "-n", lab.PeerNamespace, "address", "add", "10.201.0.2/24", "dev", PeerInterface);
            ExternalCommand.Run("ip", "-n", lab.DeviceNamespace, "link", "set", "dev", DeviceInterface, "up");
            ExternalCommand.Run("ip", "-n", lab.PeerNamespace, "link", "set", "dev", PeerInterface, "up");
            lab.WaitUntilUp(lab.DeviceNamespace, DeviceInterface);
            lab.WaitUntilUp(lab.PeerNamespace, PeerInterface);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="open"/> inside the device namespace (on a dedicated thread).</summary>
    public T OpenInDevice<T>(Func<T> open) => Open(DeviceNamespace, open);

    /// <summary>Runs <paramref name="open"/> inside the peer namespace (on a dedicated thread).</summary>
    public T OpenInPeer<T>(Func<T> open) => Open(PeerNamespace, open);

    /// <summary>The XDP part of <c>ip link show</c> for the device interface ("xdp", "xdpgeneric", ... or empty).</summary>
    public string DeviceLinkDescription() => ExternalCommand.Run("ip", "-n", DeviceNamespace, "link", "show", "dev", DeviceInterface);

    /// <summary>Runs a command in the peer namespace and returns its exit code and output.</summary>
    public (int ExitCode, string Output, string Error) RunInPeer(string program, params string[] arguments) =>
        ExternalCommand.TryRun("ip", ["netns", "exec", PeerNamespace, program, .. arguments]);

    /// <summary>Deletes both namespaces (and the veth pair).</summary>
    public void Dispose()
    {
        foreach (var name in _namespaces)
        {
            ExternalCommand.TryRun("ip", "netns", "del", name);
        }
    }

    private static T Open<T>(string name, Func<T> open) => DedicatedThread.Run("netns " + name, () =>
    {
        using (var ns = File.OpenHandle("/run/netns/" + name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (TestInterop.setns((int)ns.DangerousGetHandle(), TestInterop.CloneNewNet) != 0)
            {
                throw new InvalidOperationException($"setns({name}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        return open();
    });

    private void WaitUntilUp(string ns, string interfaceName)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var state = ExternalCommand.Run("ip", "-n", ns, "-o", "link", "show", "dev", interfaceName);
            if (state.Contains("state UP", StringComparison.Ordinal))
            {
                return;
            }

            if (stopwatch.Elapsed > LinkUpLimit)
            {
                throw new TimeoutException($"{interfaceName} in {ns} is not up after {LinkUpLimit}: {state}");
            }

            Thread.Sleep(50);
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>
/// A network namespace created for one test, holding a veth pair <see cref="CaptureInterface"/> /
/// <see cref="InjectionInterface"/> (both up, IPv6 off so the kernel sends nothing of its own).
/// <see cref="Dispose"/> deletes the namespace and with it both interfaces.
/// </summary>
/// <remarks>
/// The test process stays in the root namespace. Devices are opened by <see cref="Open{T}"/> on a
/// dedicated thread that joins the namespace with setns(2) and then exits; a packet socket belongs to
/// the namespace it was created in, so the devices work from any thread afterwards.
/// </remarks>
internal sealed class VethLab : IDisposable
{
    /// <summary>The veth end the capture device listens on.</summary>
    public const string CaptureInterface = "a";

    /// <summary>The veth end frames are injected on; they arrive at <see cref="CaptureInterface"/>.</summary>
    public const string InjectionInterface = "b";

    private static readonly TimeSpan LinkUpLimit = TimeSpan.FromSeconds(10);

    private VethLab(string name)
    {
        Name = name;
    }

    /// <summary>The namespace's name (lvt-pcap- plus a random suffix).</summary>
    public string Name { get; }

    /// <summary>Creates the namespace and the veth pair and waits until both ends are operationally up.</summary>
    public static VethLab Create()
    {
        var name = "lvt-pcap-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        ExternalCommand.Run("ip", "netns", "add", name);
        var lab = new VethLab(name);
        try
        {
            ExternalCommand.Run("ip", "netns", "exec", name, "sysctl", "-qw",
                "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ExternalCommand.Run("ip", "-n", name, "link", "add", "name", CaptureInterface, "type", "veth", "peer", "name", InjectionInterface);
            ExternalCommand.Run("ip", "-n", name, "link", "set", "dev", CaptureInterface, "up");
            ExternalCommand.Run("ip", "-n", name, "link", "set", "dev", InjectionInterface, "up");
            lab.WaitUntilUp(CaptureInterface);
            lab.WaitUntilUp(InjectionInterface);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="open"/> inside the namespace (on a dedicated thread) and returns its result.</summary>
    public T Open<T>(Func<T> open) => DedicatedThread.Run("netns " + Name, () =>
    {
        using (var ns = File.OpenHandle("/run/netns/" + Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (TestInterop.setns((int)ns.DangerousGetHandle(), TestInterop.CloneNewNet) != 0)
            {
                throw new InvalidOperationException($"setns({Name}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        return open();
    });

    /// <summary>Deletes the namespace (and the veth pair inside it).</summary>
    public void Dispose() => ExternalCommand.Run("ip", "netns", "del", Name);

    private void WaitUntilUp(string interfaceName)
    {
        // operstate turns UP in the same linkwatch pass that attaches the transmit queue; frames sent
        // before that are silently dropped by the placeholder qdisc.
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var state = ExternalCommand.Run("ip", "-n", Name, "-o", "link", "show", "dev", interfaceName);
            if (state.Contains("state UP", StringComparison.Ordinal))
            {
                return;
            }

            if (stopwatch.Elapsed > LinkUpLimit)
            {
                throw new TimeoutException($"{interfaceName} in {Name} is not up after {LinkUpLimit}: {state}");
            }

            Thread.Sleep(50);
        }
    }
}

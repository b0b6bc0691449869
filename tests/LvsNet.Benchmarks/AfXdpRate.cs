using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using LvsNet.PacketIo;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.Benchmarks;

/// <summary>
/// Receive rate and receiver CPU per frame of the AF_XDP backend against libpcap, on a veth pair in a
/// namespace this program creates (lvt-xdpbench-*) and deletes. A bounded sender (an AF_XDP socket on
/// the other veth end, copy mode) offers a fixed number of 60-byte UDP frames to a listed address as
/// fast as it can; the receiver thread counts them and reads its own CPU time from /proc/thread-self/stat.
/// </summary>
/// <remarks>
/// Usage: <c>xdp-rate [xdp|xdp-unbound|pcap] [frames] [frames per second, 0 = as fast as possible] [UMEM frames of the receiver, default 16384]</c>. The program re-executes itself inside the namespace
/// (<c>ip netns exec</c>), so no thread of the parent ever changes namespace.
/// </remarks>
internal static class AfXdpRate
{
    private const string ReceiveInterface = "a";
    private const string SendInterface = "b";
    private static readonly byte[] Vip = PacedUdpSender.Vip;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static int Run(string[] args)
    {
        if (args is [_, "--inside", var inMode, var inFrames, var inRate, var inUmem])
        {
            return Measure(inMode, int.Parse(inFrames, CultureInfo.InvariantCulture), int.Parse(inRate, CultureInfo.InvariantCulture),
                int.Parse(inUmem, CultureInfo.InvariantCulture));
        }

        var mode = args.Length > 1 ? args[1] : "xdp";
        var frames = args.Length > 2 ? args[2] : "2000000";
        var rate = args.Length > 3 ? args[3] : "0";
        var umemFrames = args.Length > 4 ? args[4] : "16384";
        var ns = "lvt-xdpbench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Exec("ip", "netns", "add", ns);
        try
        {
            Exec("ip", "-n", ns, "link", "add", "name", ReceiveInterface, "type", "veth", "peer", "name", SendInterface);
            Exec("ip", "-n", ns, "link", "set", "dev", ReceiveInterface, "up");
            Exec("ip", "-n", ns, "link", "set", "dev", SendInterface, "up");
            Exec("ip", "-n", ns, "address", "add", "10.202.0.1/24", "dev", ReceiveInterface);
            Thread.Sleep(1000);
            var self = Environment.ProcessPath!;
            string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(AfXdpRate).Assembly.Location] : [self];
            return Exec("ip", ["netns", "exec", ns, .. command, "xdp-rate", "--inside", mode, frames, rate, umemFrames]);
        }
        finally
        {
            Exec("ip", "netns", "del", ns);
        }
    }

    private static int Measure(string mode, int frames, int rate, int umemFrames)
    {
        var vip = BinaryPrimitives.ReadUInt32BigEndian(Vip);
        using ICaptureDevice receiver = mode == "pcap"
            ? new LiveCaptureDevice(new DeviceConfiguration(ReceiveInterface) { Filter = "dst host 10.202.0.100" })
            : new AfXdpDevice(new AfXdpOptions(ReceiveInterface)
            {
                Addresses = [vip],
                FrameCount = umemFrames,
                RingSize = umemFrames / 2,
                DropStrippedVlanTags = mode != "xdp-unbound",
            });
        using var sender = new AfXdpDevice(new AfXdpOptions(SendInterface));
        var description = receiver is AfXdpDevice xdp
            ? $"AF_XDP {xdp.SocketMode}, XDP {xdp.AttachMode}, {umemFrames} UMEM frames, {(xdp.VlanMetadataUnavailable is null ? "device-bound program asking for stripped VLAN tags" : "unbound program")}"
            : "libpcap";

        var frame = PacedUdpSender.Frame();

        var counter = new Counter();
        var sendDone = false;
        double receiverCpuSeconds = 0;
        var elapsed = TimeSpan.Zero;
        var receiveThread = new Thread(() =>
        {
            var cpuStart = ThreadCpuSeconds();
            var watch = Stopwatch.StartNew();
            var lastFrameAt = TimeSpan.Zero;
            while (counter.Count < frames && watch.Elapsed < Limit)
            {
                if (receiver.Wait(TimeSpan.FromMilliseconds(100)) != WaitResult.Timeout && receiver.Dispatch(counter, 256) > 0)
                {
                    lastFrameAt = watch.Elapsed;
                }
                else if (Volatile.Read(ref sendDone) && watch.Elapsed - lastFrameAt > TimeSpan.FromSeconds(1))
                {
                    break;
                }
            }

            elapsed = lastFrameAt;
            receiverCpuSeconds = ThreadCpuSeconds() - cpuStart;
        }) { IsBackground = true, Name = "receiver" };
        receiveThread.Start();
        Thread.Sleep(200);

        var processCpuStart = Environment.CpuUsage.TotalTime;
        var (sent, sendSeconds) = PacedUdpSender.Send(sender, frame, frames, rate, Limit);
        Volatile.Write(ref sendDone, true);
        receiveThread.Join();
        var processCpu = (Environment.CpuUsage.TotalTime - processCpuStart).TotalSeconds;
        var statistics = receiver.GetStatistics();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"receiver {description}: offered {sent:N0} frames in {sendSeconds:F2} s ({sent / sendSeconds / 1e6:F3} Mfps); received {counter.Count:N0} ({counter.Count / elapsed.TotalSeconds / 1e6:F3} Mfps over {elapsed.TotalSeconds:F2} s); " +
            $"receiver thread CPU {receiverCpuSeconds:F2} s = {receiverCpuSeconds * 1e9 / Math.Max(1, counter.Count):F0} ns per frame; process CPU (receiver, sender, softirq work done in their context) {processCpu:F2} s = {processCpu * 1e9 / Math.Max(1, counter.Count):F0} ns per received frame; dropped {statistics.Dropped:N0}; sender failures {sender.SendFailures:N0}"));
        return 0;
    }

    // utime + stime of the calling thread, fields 14 and 15 of /proc/thread-self/stat, in clock ticks (USER_HZ = 100).
    private static double ThreadCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int Exec(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (!process.WaitForExit(Limit * 2))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' exited with {process.ExitCode}");
        }

        return 0;
    }

    private sealed class Counter : IFrameHandler
    {
        public int Count;

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength) => Count++;
    }
}

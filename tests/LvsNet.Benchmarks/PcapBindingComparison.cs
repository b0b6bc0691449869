using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using LvsNet.PacketIo;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Pcap;
using SharpPcap;
using SharpPcap.LibPcap;

namespace LvsNet.Benchmarks;

/// <summary>
/// The receive loop of LvsNet's own libpcap binding against SharpPcap 6 on the same capture workload,
/// in one run: per-frame CPU of the receiving thread, managed bytes allocated per frame, and loss.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>pcap-compare [frames per run, default 300000] [rounds, default 3] [paced rate in frames per
/// second, default 100000]</c>. The program creates a namespace (lvt-pcapcmp-PID) with a veth pair,
/// re-executes itself inside it and deletes the namespace at the end, also on failure. Each round runs
/// every receiver twice, once with the sender as fast as it can (loss at full rate) and once paced
/// (CPU per frame below saturation); the order of the receivers rotates from round to round, and only one
/// capture handle is open at a time. The sender is an AF_XDP socket (copy mode) on the other end of the
/// veth; it offers 60-byte UDP frames, each with a sequence number, and is identical for every receiver.
/// </para>
/// <para>
/// Receivers: <c>own</c> is the daemon's loop (<see cref="LiveCaptureDevice"/> as the capture worker drives
/// it: non-blocking immediate mode, <c>pcap_next_ex</c> until nothing is ready, at most 256 frames per call,
/// and only then poll(2) on the selectable descriptor plus an eventfd); <c>sharppcap-next</c> is SharpPcap's pull API (<c>GetNextPacket</c> in a loop on
/// a dedicated thread); <c>sharppcap-event</c> is SharpPcap's own capture loop (<c>StartCapture</c> with an
/// <c>OnPacketArrival</c> handler); <c>sharppcap-pointers</c> is SharpPcap at its leanest, used only for its
/// imports in the own loop's structure: non-blocking mode, <c>GetNextPacketPointers</c> (a bare
/// <c>pcap_next_ex</c>) until nothing is ready, the frame read through the raw pointers, then SharpPcap's
/// poll on the capture descriptor. Every SharpPcap device is opened with the same options as the own one:
/// promiscuous, immediate mode, 32 MiB buffer, 65,535-byte snap length, the same BPF filter.
/// </para>
/// <para>
/// Measured on the receiving thread from its first frame to the end of its loop: CPU time from
/// /proc/thread-self/schedstat (nanoseconds) and <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </para>
/// </remarks>
internal static class PcapBindingComparison
{
    private const string ReceiveInterface = "a";
    private const string SendInterface = "b";
    private const string Filter = "dst host 10.202.0.100";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly string[] Receivers = ["own", "sharppcap-next", "sharppcap-event", "sharppcap-pointers"];

    public static int Run(string[] args)
    {
        if (args is [_, "--inside", var inFrames, var inRounds, var inRate])
        {
            return Measure(Parse(inFrames), Parse(inRounds), Parse(inRate));
        }

        var frames = args.Length > 1 ? args[1] : "300000";
        var rounds = args.Length > 2 ? args[2] : "3";
        var rate = args.Length > 3 ? args[3] : "100000";
        var ns = "lvt-pcapcmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        BenchProcess.Exec("ip", "netns", "add", ns);
        try
        {
            BenchProcess.Exec("ip", "-n", ns, "link", "add", "name", ReceiveInterface, "type", "veth", "peer", "name", SendInterface);
            BenchProcess.Exec("ip", "-n", ns, "link", "set", "dev", ReceiveInterface, "up");
            BenchProcess.Exec("ip", "-n", ns, "link", "set", "dev", SendInterface, "up");
            BenchProcess.Exec("ip", "-n", ns, "address", "add", "10.202.0.1/24", "dev", ReceiveInterface);
            Thread.Sleep(1000);
            var self = Environment.ProcessPath!;
            string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(PcapBindingComparison).Assembly.Location] : [self];
            return BenchProcess.Exec("ip", ["netns", "exec", ns, .. command, "pcap-compare", "--inside", frames, rounds, rate]);
        }
        finally
        {
            BenchProcess.Exec("ip", "netns", "del", ns);
        }
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static int Measure(int frames, int rounds, int pacedRate)
    {
        Console.WriteLine($"libpcap {PcapLibrary.Version}; SharpPcap {typeof(LibPcapLiveDevice).Assembly.GetName().Version}; {frames:N0} frames per run, {rounds} rounds, paced at {pacedRate:N0} fps");
        using var sender = new AfXdpDevice(new AfXdpOptions(SendInterface));
        var results = new List<RunResult>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var rate in new[] { 0, pacedRate })
            {
                for (var i = 0; i < Receivers.Length; i++)
                {
                    var receiver = Receivers[(i + round) % Receivers.Length];
                    var result = MeasureOne(receiver, sender, frames, rate);
                    results.Add(result);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {(rate == 0 ? "full rate" : $"{rate:N0} fps"),-12} {receiver,-16} offered {result.Offered,9:N0} in {result.SendSeconds:F2} s, received {result.Received,9:N0} (loss {result.LossPercent,5:F1} %, pcap dropped {result.PcapDropped:N0}); receiver CPU {result.CpuNanosecondsPerFrame,6:F0} ns/frame, allocated {result.BytesPerFrame,6:F1} B/frame"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("median over rounds | receiver | CPU ns/frame | allocated B/frame | loss %");
        foreach (var rate in new[] { 0, pacedRate })
        {
            foreach (var receiver in Receivers)
            {
                var runs = results.Where(r => r.Receiver == receiver && r.Rate == rate).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(rate == 0 ? "full rate" : $"{rate:N0} fps")} | {receiver} | {Median(runs.Select(r => r.CpuNanosecondsPerFrame)):F0} | {Median(runs.Select(r => r.BytesPerFrame)):F1} | {Median(runs.Select(r => r.LossPercent)):F1}"));
            }
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    private static RunResult MeasureOne(string receiver, AfXdpDevice sender, int frames, int rate)
    {
        var probe = new ReceiveProbe();
        using IReceiver loop = receiver switch
        {
            "own" => new OwnReceiver(probe),
            "sharppcap-next" => new SharpPcapPullReceiver(probe),
            "sharppcap-pointers" => new SharpPcapPointerReceiver(probe),
            _ => new SharpPcapEventReceiver(probe),
        };
        loop.Start();
        Thread.Sleep(200);

        var (sent, sendSeconds) = Send(sender, frames, rate);
        var watch = Stopwatch.StartNew();
        var lastCount = -1;
        var lastChange = TimeSpan.Zero;
        while (Volatile.Read(ref probe.Count) < sent && watch.Elapsed < Limit)
        {
            var count = Volatile.Read(ref probe.Count);
            if (count != lastCount)
            {
                (lastCount, lastChange) = (count, watch.Elapsed);
            }
            else if (watch.Elapsed - lastChange > TimeSpan.FromSeconds(1))
            {
                break;
            }

            Thread.Sleep(20);
        }

        var dropped = loop.StopAndReadDropped();
        return new RunResult(receiver, rate, sent, sendSeconds, probe.Count, dropped,
            probe.Count == 0 ? double.NaN : (probe.CpuEndNanoseconds - probe.CpuStartNanoseconds) / (double)probe.Count,
            probe.Count == 0 ? double.NaN : (probe.AllocatedEnd - probe.AllocatedStart) / (double)probe.Count);
    }

    private static (int Sent, double Seconds) Send(AfXdpDevice sender, int frames, int rate) =>
        PacedUdpSender.Send(sender, PacedUdpSender.Frame(), frames, rate, Limit);

    private sealed record RunResult(string Receiver, int Rate, int Offered, double SendSeconds, int Received, long PcapDropped,
        double CpuNanosecondsPerFrame, double BytesPerFrame)
    {
        public double LossPercent => Offered == 0 ? 0 : 100.0 * (Offered - Received) / Offered;
    }

    /// <summary>One receiver under test, running on its own thread until stopped.</summary>
    private interface IReceiver : IDisposable
    {
        void Start();

        /// <summary>Stops the loop (its thread records the end figures) and returns libpcap's drop count.</summary>
        long StopAndReadDropped();
    }

    /// <summary>The daemon's loop over <see cref="LiveCaptureDevice"/>.</summary>
    private sealed class OwnReceiver(ReceiveProbe probe) : IReceiver, IFrameHandler
    {
        private readonly LiveCaptureDevice _device = new(new LvsNet.PacketIo.DeviceConfiguration(ReceiveInterface) { Filter = Filter });
        private Thread? _thread;
        private volatile bool _stop;

        public void Start()
        {
            _thread = new Thread(() =>
            {
                // As CaptureWorker: pull until nothing is ready, block in poll only then.
                while (!_stop)
                {
                    if (_device.Dispatch(this, 256) == 0)
                    {
                        _device.Wait(TimeSpan.FromMilliseconds(100));
                    }
                }

                probe.End();
            }) { IsBackground = true, Name = "own receiver" };
            _thread.Start();
        }

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength) => probe.OnFrame(frame);

        public long StopAndReadDropped()
        {
            _stop = true;
            _device.Wake();
            _thread!.Join();
            return _device.GetStatistics().Dropped;
        }

        public void Dispose() => _device.Dispose();
    }

    /// <summary>SharpPcap's pull API: <c>GetNextPacket</c> (poll, <c>pcap_next_ex</c>, a header object) per frame.</summary>
    private sealed class SharpPcapPullReceiver(ReceiveProbe probe) : IReceiver
    {
        private readonly LibPcapLiveDevice _device = OpenSharpPcap();
        private Thread? _thread;
        private volatile bool _stop;

        public void Start()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    if (_device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
                    {
                        probe.OnFrame(capture.Data);
                    }
                }

                probe.End();
            }) { IsBackground = true, Name = "SharpPcap pull receiver" };
            _thread.Start();
        }

        public long StopAndReadDropped()
        {
            // GetNextPacket returns after its own 500 ms poll timeout at the latest.
            _stop = true;
            _thread!.Join();
            return _device.Statistics.DroppedPackets;
        }

        public void Dispose() => _device.Close();
    }

    /// <summary>SharpPcap's own capture loop (<c>StartCapture</c>, <c>pcap_dispatch</c> with a delegate callback).</summary>
    private sealed class SharpPcapEventReceiver : IReceiver
    {
        private readonly LibPcapLiveDevice _device = OpenSharpPcap();
        private readonly ReceiveProbe _probe;
        private readonly ManualResetEventSlim _stopped = new();

        public SharpPcapEventReceiver(ReceiveProbe probe)
        {
            _probe = probe;
            _device.StopCaptureTimeout = TimeSpan.FromSeconds(5);
            _device.OnPacketArrival += (_, capture) => _probe.OnFrame(capture.Data);

            // Raised on the capture thread when its loop ends, so the end figures are that thread's.
            _device.OnCaptureStopped += (_, _) =>
            {
                _probe.End();
                _stopped.Set();
            };
        }

        public void Start() => _device.StartCapture();

        public long StopAndReadDropped()
        {
            _device.StopCapture();
            _stopped.Wait(TimeSpan.FromSeconds(5));
            return _device.Statistics.DroppedPackets;
        }

        public void Dispose()
        {
            _device.Close();
            _stopped.Dispose();
        }
    }

    /// <summary>SharpPcap used only for its imports: its poll once per batch, then bare <c>pcap_next_ex</c> calls until empty.</summary>
    private sealed class SharpPcapPointerReceiver(ReceiveProbe probe) : IReceiver
    {
        private readonly PointerDevice _device = OpenSharpPcap(new PointerDevice(LibPcapLiveDeviceList.New().First(d => d.Name == ReceiveInterface).Interface!));
        private Thread? _thread;
        private volatile bool _stop;

        public void Start()
        {
            _device.NonBlockingMode = true;
            _thread = new Thread(() =>
            {
                // The same structure as the own loop: pull until nothing is ready, poll only then.
                while (!_stop)
                {
                    var read = 0;
                    for (; read < 256; read++)
                    {
                        IntPtr header = 0, data = 0;
                        if (_device.GetNextPacketPointers(ref header, ref data) != 1)
                        {
                            break;
                        }

                        // pcap_pkthdr on 64-bit Linux: a 16-byte timeval, then caplen and len.
                        probe.OnFrame(Frame(data, Marshal.ReadInt32(header, 16)));
                    }

                    if (read == 0)
                    {
                        _device.Poll(100);
                    }
                }

                probe.End();
            }) { IsBackground = true, Name = "SharpPcap pointer receiver" };
            _thread.Start();
        }

        private static unsafe ReadOnlySpan<byte> Frame(IntPtr data, int length) => new((void*)data, length);

        public long StopAndReadDropped()
        {
            _stop = true;
            _thread!.Join();
            return _device.Statistics.DroppedPackets;
        }

        public void Dispose() => _device.Close();
    }

    /// <summary>Exposes SharpPcap's own poll on the capture descriptor (protected internal in SharpPcap).</summary>
    private sealed class PointerDevice(PcapInterface pcapInterface) : LibPcapLiveDevice(pcapInterface)
    {
        public bool Poll(int timeoutMilliseconds) => PollFileDescriptor(timeoutMilliseconds);
    }

    private static LibPcapLiveDevice OpenSharpPcap() => OpenSharpPcap(LibPcapLiveDeviceList.New().First(d => d.Name == ReceiveInterface));

    private static T OpenSharpPcap<T>(T device)
        where T : LibPcapLiveDevice
    {
        device.Open(new SharpPcap.DeviceConfiguration
        {
            Mode = DeviceModes.Promiscuous,
            Immediate = true,
            BufferSize = LvsNet.PacketIo.DeviceConfiguration.DefaultBufferSizeBytes,
            Snaplen = LvsNet.PacketIo.DeviceConfiguration.DefaultSnapLength,
            ReadTimeout = 100,
        });
        device.Filter = Filter;
        return device;
    }

    /// <summary>What the receiving thread saw: frames, and its CPU time and allocations from the first frame to the end of its loop.</summary>
    private sealed class ReceiveProbe
    {
        public int Count;
        public long Sum;
        public long CpuStartNanoseconds;
        public long CpuEndNanoseconds;
        public long AllocatedStart;
        public long AllocatedEnd;

        public void OnFrame(ReadOnlySpan<byte> frame)
        {
            if (Count == 0)
            {
                // CPU first, then the allocation baseline, so reading /proc is not counted as the receiver's allocation.
                CpuStartNanoseconds = ThreadCpuNanoseconds();
                AllocatedStart = GC.GetAllocatedBytesForCurrentThread();
            }

            // Touch the frame (its sequence number) as a data path would.
            Sum += frame.Length >= 46 ? BinaryPrimitives.ReadInt32BigEndian(frame[42..]) : 0;
            Volatile.Write(ref Count, Count + 1);
        }

        public void End()
        {
            AllocatedEnd = GC.GetAllocatedBytesForCurrentThread();
            CpuEndNanoseconds = ThreadCpuNanoseconds();
        }

        // The first field of /proc/thread-self/schedstat: time the thread spent on a CPU, in nanoseconds.
        private static long ThreadCpuNanoseconds()
        {
            var text = File.ReadAllText("/proc/thread-self/schedstat");
            return long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
    }
}

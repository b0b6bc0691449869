using LvsNet.Core.Diagnostics;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Host;
using LvsNet.PacketIo;
using LvsNet.PacketIo.AfPacket;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Pcap;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon;

/// <summary>
/// Owns the capture thread: prepares the host, opens the capture and injection handles on the
/// director's NIC, and runs the data path; at stop, joins the thread, logs final statistics and
/// restores the host.
/// </summary>
public sealed partial class CaptureService : IHostedService, IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMilliseconds(1500);

    private readonly LvsRuntime _runtime;
    private readonly DirectorHost _host;
    private readonly StatisticsLogger _statistics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _devices = [];
    private readonly int _fanoutGroup = Environment.ProcessId & 0xFFFF;
    private AfXdpDevice? _xdp;
    private readonly List<CaptureWorker> _workers = [];
    private PcapFileTap? _tap;
    private readonly Core.Ha.DirectorRoleState? _role;
    private readonly Core.Sync.SyncHub? _sync;

    /// <summary>Creates the service.</summary>
    public CaptureService(LvsRuntime runtime, DirectorHost host, StatisticsLogger statistics, ILoggerFactory loggerFactory, TimeProvider time, Core.Ha.DirectorRoleState? role = null, Core.Sync.SyncHub? sync = null)
    {
        _role = role;
        _sync = sync;
        _runtime = runtime;
        _host = host;
        _statistics = statistics;
        _loggerFactory = loggerFactory;
        _time = time;
        _logger = loggerFactory.CreateLogger<CaptureService>();
    }

    /// <summary>The running workers (one per capture thread), empty before start.</summary>
    public IReadOnlyList<CaptureWorker> Workers => _workers;

    /// <summary>
    /// The data-path counters of every worker, summed (null before start), with the frames the XDP program
    /// dropped itself (afxdp: VLAN tags the driver stripped) under their drop reason.
    /// </summary>
    public DataPathCounters? Counters
    {
        get
        {
            if (_workers.Count == 0)
            {
                return null;
            }

            List<DataPathCounters> parts = [.. _workers.Select(w => w.Processor.Counters)];
            if (_xdp is { } xdp && xdp.ProgramCounters.VlanTaggedDropped is > 0 and var dropped)
            {
                var program = new DataPathCounters();
                program.Drop(DropReason.VlanTagged, dropped);
                parts.Add(program);
            }

            return DataPathCounters.Sum(parts);
        }
    }

    /// <summary>The capture devices' kernel counters, as last read by the capture threads, summed.</summary>
    public CaptureStatistics? CaptureStatistics => _workers.Count == 0
        ? null
        : _workers.Select(w => w.Statistics).Aggregate(default(CaptureStatistics), (a, b) => new CaptureStatistics(a.Received + b.Received, a.Dropped + b.Dropped, a.InterfaceDropped + b.InterfaceDropped));

    /// <summary>Lists up to <paramref name="max"/> connections of every worker (each lists its own table on its thread).</summary>
    public async Task<IReadOnlyList<ConnectionInfo>> ListConnectionsAsync(int max, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var parts = await Task.WhenAll(_workers.Select(w => w.InvokeAsync(p => p.ListConnections(max)).WaitAsync(timeout, cancellationToken))).ConfigureAwait(false);
        return [.. parts.SelectMany(p => p).Take(max)];
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var snapshot = _runtime.Current ?? throw new InvalidOperationException("no configuration applied");
        var director = snapshot.Config.Director;
        var capture = snapshot.Config.Capture;
        var mac = NetworkInterfaceInfo.ReadMac(director.Interface);
        Log.PcapVersion(_logger, PcapLibrary.Version);
        try
        {
            if (director.PrepareHost)
            {
                _host.Prepare(director.Interface, snapshot.OwnedAddresses);
            }

            if (capture.CaptureTo is { } path)
            {
                _tap = new PcapFileTap(path, _time);
            }

            // The daemon answers ARP for the VIPs with the NIC's own MAC, so every frame it must
            // handle is addressed to that MAC (or is ARP): no promiscuous mode needed. IPv6 adds the
            // 33:33 multicast frames, where neighbour solicitations for the VIPs arrive.
            var filter = $"arp or (ether dst {mac} and ip) or (ip6 and (ether dst {mac} or ether[0:2] = 0x3333))";
            var mtu = NetworkInterfaceInfo.ReadMtu(director.Interface);
            var workers = capture.Workers;
            for (var index = 0; index < workers; index++)
            {
                var (captureDevice, injectionDevice) = OpenDevices(director.Interface, capture, filter, snapshot);
                var options = new DataPathOptions
                {
                    Mac = mac,
                    Address = director.Address,
                    PrefixLength = director.PrefixLength,
                    Gateway = director.Gateway,
                    Address6 = director.Address6,
                    PrefixLength6 = director.PrefixLength6,
                    Gateway6 = director.Gateway6,
                    Mtu = mtu,
                    TableCapacity = Math.Max(1024, snapshot.Config.Connections.MaxEntries / workers),
                    FragmentBuffers = snapshot.Config.Fragments.BuffersPerWorker(mtu, workers),
                    FragmentQueues = snapshot.Config.Fragments.DatagramsPerWorker(workers),
                    CommitTable = true,
                    WorkerIndex = index,
                    WorkerCount = workers,
                    Role = _role,
                    Sync = _sync,
                    Vlan = director.Vlan,
                };
                var processor = new PacketProcessor(_runtime, new FrameTransmitter(injectionDevice, _tap, director.Vlan), options, _time, _loggerFactory.CreateLogger<PacketProcessor>());
                _workers.Add(new CaptureWorker(captureDevice, processor, capture.BatchSize, _loggerFactory.CreateLogger<CaptureWorker>(), index));
            }

            if (workers > 1)
            {
                // The fanout group steers each connection's frames to the worker holding it; the
                // program follows the VIPs and local addresses of the snapshot in use.
                var steering = (AfPacketDevice)_devices[0];
                Steer(steering, snapshot, workers);
                _workers[0].Processor.SnapshotChanged += next => Steer(steering, next, workers);

                // ARP reaches worker 0 only (the steering program sends every non-IPv4 frame there):
                // what it learns goes to the others, whose own resolutions wait for it.
                var first = _workers[0];
                first.Processor.NeighbourSeen += arp =>
                {
                    for (var i = 1; i < _workers.Count; i++)
                    {
                        _ = _workers[i].InvokeAsync(p =>
                        {
                            p.LearnNeighbour(arp);
                            return true;
                        });
                    }
                };

                // IPv6 neighbour discovery too (the program sends ICMPv6 133-137 to worker 0).
                first.Processor.NeighborAdvertisementSeen += advertisement =>
                {
                    for (var i = 1; i < _workers.Count; i++)
                    {
                        _ = _workers[i].InvokeAsync(p =>
                        {
                            p.LearnNeighbour6(advertisement);
                            return true;
                        });
                    }
                };
            }

            if (_xdp is { } xdpDevice)
            {
                // The XDP program's address map follows the snapshot in use (VIPs, local addresses, NAT servers).
                _workers[0].Processor.SnapshotChanged += next =>
                {
                    xdpDevice.SetAddresses(next.OwnedAddresses, next.NatServerAddresses, [next.Config.Director.Address]);
                    xdpDevice.SetAddresses6(XdpAddresses6(next));
                };
                Log.Xdp(_logger, xdpDevice.SocketMode.ToString(), xdpDevice.AttachMode.ToString());

                // Either known now (the program could not be bound) or found once by the capture thread.
                if (xdpDevice.VlanMetadataUnavailable is { } missing)
                {
                    Log.XdpVlanMetadataUnavailable(_logger, missing);
                }
                else
                {
                    xdpDevice.VlanMetadataLost += reason => Log.XdpVlanMetadataUnavailable(_logger, reason);
                }
            }

            // The solicited-node groups of the IPv6 VIPs and local addresses, where solicitations for
            // them arrive: a physical NIC filters multicast no one joined (veth and bridges do not).
            var groups = new LinkMulticastGroups(director.Interface);
            _devices.Add(groups);
            JoinSolicitedNodeGroups(groups, snapshot);
            _workers[0].Processor.SnapshotChanged += next => JoinSolicitedNodeGroups(groups, next);

            foreach (var worker in _workers)
            {
                worker.Start();
            }

            var table = _workers[0].Processor.Table;
            Log.ConnectionTables(_logger, workers, table.Capacity, _workers.Sum(w => w.Processor.Table.ArrayBytes) / (1024 * 1024), _workers.Sum(w => w.Processor.Table.HugePageBytes) / (1024 * 1024));
            Log.Started(_logger, director.Interface, mac.ToString(), snapshot.Services.Count, capture.Backend.ToString().ToLowerInvariant(), workers);
        }
        catch
        {
            Cleanup();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Log.Stopping(_logger);
        foreach (var worker in _workers)
        {
            if (!worker.Stop(StopTimeout))
            {
                Log.StopTimedOut(_logger, StopTimeout.TotalMilliseconds);
            }
        }

        _statistics.Write(_runtime.Current, Counters, CaptureStatistics);
        Cleanup();
        Log.Stopped(_logger);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => Cleanup();

    /// <summary>Joins the solicited-node groups of the snapshot's IPv6 VIPs, local addresses and floating addresses and leaves the others; a refusal is logged, never thrown.</summary>
    private void JoinSolicitedNodeGroups(LinkMulticastGroups groups, LvsSnapshot snapshot)
    {
        var wanted = SolicitedNodeGroups(snapshot);
        if (wanted.SetEquals(groups.Joined))
        {
            return;
        }

        try
        {
            groups.Set(wanted);
            Log.MulticastGroups(_logger, groups.InterfaceName, string.Join(' ', groups.Joined.Order().Select(m => new LvsNet.Packets.MacAddress(m).ToString())));
        }
        catch (PcapException e)
        {
            Log.MulticastGroupsFailed(_logger, groups.InterfaceName, e.Message);
        }
    }

    /// <summary>The solicited-node group MACs (33:33:ff:XX:XX:XX) of the snapshot's IPv6 VIPs, local addresses and floating addresses.</summary>
    internal static HashSet<ulong> SolicitedNodeGroups(LvsSnapshot snapshot) =>
        snapshot.OwnedAddresses6.Select(a => LinkMulticastGroups.SolicitedNodeMac(a.Low)).ToHashSet();

    private void Steer(AfPacketDevice device, LvsSnapshot snapshot, int workers)
    {
        var program = FlowSteering.BuildProgram(snapshot, workers);
        device.SetFanoutProgram(program);
        Log.Steering(_logger, workers, program.Length, snapshot.VirtualAddresses.Length, snapshot.LocalAddresses.Length);
    }

    /// <summary>
    /// The pcap capture split in two (<c>syn_queue_bytes</c>, <see cref="SynQueueSplit"/>): every frame but the small
    /// bare IPv4 SYNs in the main buffer, read first; those SYNs in a small buffer of their own, read after it.
    /// </summary>
    private static CompositeCaptureDevice OpenWithSynQueue(string interfaceName, CaptureConfig capture, string filter)
    {
        var (mainConfiguration, synConfiguration) = SynQueueSplit.Configurations(
            new DeviceConfiguration(interfaceName) { Promiscuous = false, BufferSizeBytes = capture.BufferSizeBytes, Filter = filter }, capture.SynQueueBytes);
        var main = new LiveCaptureDevice(mainConfiguration);
        try
        {
            var syns = new LiveCaptureDevice(synConfiguration);
            return new CompositeCaptureDevice(main, syns, TimeSpan.FromMilliseconds(10));
        }
        catch
        {
            main.Dispose();
            throw;
        }
    }

    /// <summary>Opens the capture and injection devices of one worker for the configured backend.</summary>
    private (ICaptureDevice Capture, IInjectionDevice Injection) OpenDevices(string interfaceName, CaptureConfig capture, string filter, LvsSnapshot snapshot)
    {
        switch (capture.Backend)
        {
            case CaptureBackend.Pcap:
            {
                ICaptureDevice captureDevice = capture.SynQueueBytes == 0
                    ? new LiveCaptureDevice(new DeviceConfiguration(interfaceName) { Promiscuous = false, BufferSizeBytes = capture.BufferSizeBytes, Filter = filter })
                    : OpenWithSynQueue(interfaceName, capture, filter);
                _devices.Add(captureDevice);
                // libpcap sends one frame per system call; a packet socket sends the batch's frames
                // (SYN-ACKs of a flood, forwarded packets) with one sendmmsg when the batch ends.
                var injection = new PacketSocketSender(interfaceName, Math.Min(1024, Math.Max(capture.BatchSize, AfPacketOptions.DefaultTransmitBatchSize)));
                _devices.Add(injection);
                return (captureDevice, injection);
            }

            case CaptureBackend.AfPacket:
            {
                var device = new AfPacketDevice(new AfPacketOptions(interfaceName)
                {
                    Promiscuous = false,
                    Filter = filter,
                    BlockCount = Math.Max(8, capture.BufferSizeBytes / AfPacketOptions.DefaultBlockSizeBytes),
                    TransmitBatchSize = Math.Min(1024, Math.Max(capture.BatchSize, AfPacketOptions.DefaultTransmitBatchSize)),
                    FanoutGroupId = capture.Workers > 1 ? _fanoutGroup : null,
                    FanoutMode = AfPacketFanoutMode.ClassicBpf,
                    RingVersion = capture.AfPacketRing == 3 ? AfPacketRingVersion.V3 : AfPacketRingVersion.V2,
                    BusyPollTime = capture.BusyPoll,
                });
                _devices.Add(device);
                return (device, device);
            }

            case CaptureBackend.AfXdp:
            {
                // The XDP program redirects the director's traffic (to VIPs and local addresses, and
                // NAT replies by their source) and leaves the host's own traffic to the kernel. ARP
                // replies to the daemon's requests are addressed to the DIP, so they reach the kernel:
                // a libpcap handle reads them there beside the AF_XDP socket. IPv6 likewise: the
                // program redirects neighbour solicitations for the VIPs but leaves every neighbour
                // advertisement to the kernel (they answer the link-local address the kernel and the
                // daemon share), and the libpcap handle reads copies of those.
                var xdp = new AfXdpDevice(new AfXdpOptions(interfaceName)
                {
                    Addresses = snapshot.OwnedAddresses,
                    ReplySourceAddresses = snapshot.NatServerAddresses,
                    HostAddresses = [snapshot.Config.Director.Address],
                    Addresses6 = XdpAddresses6(snapshot),
                    TransmitBatchSize = Math.Min(1024, Math.Max(capture.BatchSize, 64)),
                    BusyPollTime = capture.BusyPoll,
                    Vlan = snapshot.Config.Director.Vlan,
                });
                ICaptureDevice arp;
                try
                {
                    arp = new LiveCaptureDevice(new DeviceConfiguration(interfaceName) { Promiscuous = false, BufferSizeBytes = 1 << 20, Filter = "arp or (ip6 and ip6[6] == 58 and ip6[40] == 136)" });
                }
                catch
                {
                    xdp.Dispose();
                    throw;
                }

                var composite = new CompositeCaptureDevice(xdp, arp, TimeSpan.FromMilliseconds(10));
                _devices.Add(composite);
                _xdp = xdp;
                return (composite, xdp);
            }

            default:
                throw new NotSupportedException($"capture backend {capture.Backend} is not built into this version");
        }
    }

    private void Cleanup()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        _workers.Clear();
        foreach (var device in _devices)
        {
            device.Dispose();
        }

        _devices.Clear();
        _xdp = null;
        _tap?.Dispose();
        _tap = null;
        _host.Restore();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Started, EventName = nameof(EventIds.Started), Level = LogLevel.Information, Message = "LvsNet forwarding on {Interface} ({Mac}) with {Services} virtual service(s), backend {Backend}, {Workers} worker(s)")]
        public static partial void Started(ILogger logger, string @interface, string mac, int services, string backend, int workers);

        [LoggerMessage(EventId = EventIds.ConnectionTables, EventName = nameof(EventIds.ConnectionTables), Level = LogLevel.Information, Message = "Connection tables: {Workers} x {Entries} entries, {MiB} MiB, {HugePageMiB} MiB advised for transparent huge pages")]
        public static partial void ConnectionTables(ILogger logger, int workers, int entries, long mib, long hugePageMiB);

        [LoggerMessage(EventId = EventIds.Stopping, EventName = nameof(EventIds.Stopping), Level = LogLevel.Information, Message = "Stopping")]
        public static partial void Stopping(ILogger logger);

        [LoggerMessage(EventId = EventIds.Stopped, EventName = nameof(EventIds.Stopped), Level = LogLevel.Information, Message = "Stopped; host restored")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = EventIds.PcapVersion, EventName = nameof(EventIds.PcapVersion), Level = LogLevel.Information, Message = "Using {PcapVersion}")]
        public static partial void PcapVersion(ILogger logger, string pcapVersion);

        [LoggerMessage(EventId = EventIds.Steering, EventName = nameof(EventIds.Steering), Level = LogLevel.Information, Message = "{Workers} workers: fanout steering program of {Instructions} instructions for {Vips} VIP(s) and {LocalAddresses} local address(es)")]
        public static partial void Steering(ILogger logger, int workers, int instructions, int vips, int localAddresses);

        [LoggerMessage(EventId = EventIds.XdpAttached, EventName = nameof(EventIds.XdpAttached), Level = LogLevel.Information, Message = "AF_XDP socket in {SocketMode} mode, XDP program attached in {AttachMode} mode")]
        public static partial void Xdp(ILogger logger, string socketMode, string attachMode);

        [LoggerMessage(EventId = EventIds.MulticastGroups, EventName = nameof(EventIds.MulticastGroups), Level = LogLevel.Information, Message = "Multicast groups on {Interface} for the IPv6 VIPs, local addresses and floating addresses: {Groups}")]
        public static partial void MulticastGroups(ILogger logger, string @interface, string groups);

        [LoggerMessage(EventId = EventIds.MulticastGroupsFailed, EventName = nameof(EventIds.MulticastGroupsFailed), Level = LogLevel.Warning, Message = "Could not join or leave a multicast group on {Interface}; neighbour solicitations for an IPv6 VIP may not arrive where the NIC filters multicast: {Reason}")]
        public static partial void MulticastGroupsFailed(ILogger logger, string @interface, string reason);

        [LoggerMessage(EventId = EventIds.XdpVlanMetadataUnavailable, EventName = nameof(EventIds.XdpVlanMetadataUnavailable), Level = LogLevel.Warning, Message = "The XDP program cannot see VLAN tags the driver strips, so tagged frames for the VIPs whose tag was stripped are forwarded as untagged: {Reason}")]
        public static partial void XdpVlanMetadataUnavailable(ILogger logger, string reason);

        [LoggerMessage(EventId = EventIds.StopTimedOut, EventName = nameof(EventIds.StopTimedOut), Level = LogLevel.Warning, Message = "The capture thread did not stop within {Milliseconds} ms")]
        public static partial void StopTimedOut(ILogger logger, double milliseconds);
    }

    /// <summary>The IPv6 address sets of the XDP program for a snapshot: VIPs, FULLNAT local addresses and HA floating addresses owned, IPv6 NAT servers as reply sources, the director's IPv6 address as host.</summary>
    internal static XdpIpv6Addresses XdpAddresses6(LvsSnapshot snapshot) => new()
    {
        Owned = [.. snapshot.OwnedAddresses6.Select(a => a.Value)],
        ReplySources = [.. snapshot.NatServerAddresses6.Select(a => a.Value)],
        HostAddresses = snapshot.Config.Director.Address6 is { } host ? [host.Value] : [],
    };
}

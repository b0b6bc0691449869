using LvsNet.Core;
using LvsNet.Core.DataPath;
using LvsNet.Daemon.Host;
using LvsNet.Pcap;
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
    private LiveCaptureDevice? _capture;
    private LiveInjectionDevice? _injection;
    private PcapFileTap? _tap;

    /// <summary>Creates the service.</summary>
    public CaptureService(LvsRuntime runtime, DirectorHost host, StatisticsLogger statistics, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _runtime = runtime;
        _host = host;
        _statistics = statistics;
        _loggerFactory = loggerFactory;
        _time = time;
        _logger = loggerFactory.CreateLogger<CaptureService>();
    }

    /// <summary>The running worker, or null before start.</summary>
    public CaptureWorker? Worker { get; private set; }

    /// <summary>The capture device's kernel counters, as last read by the capture thread.</summary>
    public CaptureStatistics? CaptureStatistics => Worker?.Statistics;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var snapshot = _runtime.Current ?? throw new InvalidOperationException("no configuration applied");
        var director = snapshot.Config.Director;
        var mac = NetworkInterfaceInfo.ReadMac(director.Interface);
        Log.PcapVersion(_logger, PcapLibrary.Version);
        try
        {
            if (director.PrepareHost)
            {
                _host.Prepare(director.Interface, snapshot.OwnedAddresses);
            }

            _capture = new LiveCaptureDevice(new DeviceConfiguration(director.Interface)
            {
                // The daemon answers ARP for the VIPs with the NIC's own MAC, so every frame it
                // must handle is addressed to that MAC (or is ARP): no promiscuous mode needed.
                Promiscuous = false,
                BufferSizeBytes = snapshot.Config.Capture.BufferSizeBytes,
                Filter = $"arp or (ether dst {mac} and ip)",
            });
            _injection = new LiveInjectionDevice(director.Interface);
            if (snapshot.Config.Capture.CaptureTo is { } path)
            {
                _tap = new PcapFileTap(path, _time);
            }

            var options = new DataPathOptions
            {
                Mac = mac,
                Address = director.Address,
                PrefixLength = director.PrefixLength,
                Gateway = director.Gateway,
                Mtu = NetworkInterfaceInfo.ReadMtu(director.Interface),
                TableCapacity = snapshot.Config.Connections.MaxEntries,
            };
            var processor = new PacketProcessor(_runtime, new FrameTransmitter(_injection, _tap), options, _time, _loggerFactory.CreateLogger<PacketProcessor>());
            Worker = new CaptureWorker(_capture, processor, snapshot.Config.Capture.BatchSize, _loggerFactory.CreateLogger<CaptureWorker>());
            Worker.Start();
            Log.Started(_logger, director.Interface, mac.ToString(), snapshot.Services.Count);
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
        if (Worker is { } worker && !worker.Stop(StopTimeout))
        {
            Log.StopTimedOut(_logger, StopTimeout.TotalMilliseconds);
        }

        _statistics.Write(_runtime.Current, Worker?.Processor.Counters, CaptureStatistics);
        Cleanup();
        Log.Stopped(_logger);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => Cleanup();

    private void Cleanup()
    {
        _capture?.Dispose();
        _capture = null;
        _injection?.Dispose();
        _injection = null;
        _tap?.Dispose();
        _tap = null;
        _host.Restore();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, EventName = "Started", Level = LogLevel.Information, Message = "LvsNet forwarding on {Interface} ({Mac}) with {Services} virtual service(s)")]
        public static partial void Started(ILogger logger, string @interface, string mac, int services);

        [LoggerMessage(EventId = 101, EventName = "Stopping", Level = LogLevel.Information, Message = "Stopping")]
        public static partial void Stopping(ILogger logger);

        [LoggerMessage(EventId = 102, EventName = "Stopped", Level = LogLevel.Information, Message = "Stopped; host restored")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = 103, EventName = "PcapVersion", Level = LogLevel.Information, Message = "Using {PcapVersion}")]
        public static partial void PcapVersion(ILogger logger, string pcapVersion);

        [LoggerMessage(EventId = 106, EventName = "StopTimedOut", Level = LogLevel.Warning, Message = "The capture thread did not stop within {Milliseconds} ms")]
        public static partial void StopTimedOut(ILogger logger, double milliseconds);
    }
}

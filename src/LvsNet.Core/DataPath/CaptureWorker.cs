using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LvsNet.PacketIo;
using LvsNet.PacketIo.Pcap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.DataPath;

/// <summary>
/// One dedicated capture thread running the data path to completion: read a batch, process each
/// frame, flush the transmitter, run timers between batches, and block in <see cref="ICaptureDevice.Wait"/> when idle.
/// </summary>
/// <remarks>
/// The control plane never touches the processor's tables directly: it posts work with
/// <see cref="InvokeAsync{T}"/>, which the capture thread runs between batches (listings of
/// connections and neighbours are taken this way, without locks on the data path).
/// Stopping writes the device's wake-up descriptor, so a blocked thread returns at once and
/// no frame is lost to a timeout-based loop.
/// </remarks>
public sealed partial class CaptureWorker : IDisposable
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);

    private readonly ICaptureDevice _device;
    private readonly PacketProcessor _processor;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Action<PacketProcessor>> _work = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private volatile StrongBox<CaptureStatistics>? _statistics;
    private long _statisticsReadAt;

    /// <summary>Creates the worker; <see cref="Start"/> starts its thread.</summary>
    public CaptureWorker(ICaptureDevice device, PacketProcessor processor, int batchSize = 64, ILogger? logger = null, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(processor);
        _device = device;
        _processor = processor;
        _batchSize = batchSize;
        _logger = logger ?? NullLogger.Instance;
        _thread = new Thread(Run) { IsBackground = true, Name = $"lvsnet-capture-{device.Name}-{index}" };
    }

    /// <summary>The processor this worker drives.</summary>
    public PacketProcessor Processor => _processor;

    /// <summary>
    /// The device's kernel counters, read by the capture thread itself about once a second and at
    /// stop (a pcap handle is not safe to query from another thread while it is being read).
    /// </summary>
    public CaptureStatistics Statistics => _statistics?.Value ?? default;

    /// <summary>Unexpected exceptions caught on the capture thread (each is a bug; the loop goes on).</summary>
    public long Errors { get; private set; }

    /// <summary>Starts the capture thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Stops the thread and waits for it.</summary>
    /// <returns>False when the thread did not stop within <paramref name="timeout"/>.</returns>
    public bool Stop(TimeSpan timeout)
    {
        _stopping = true;
        _device.Wake();
        return !_thread.IsAlive || _thread.Join(timeout);
    }

    /// <summary>Runs <paramref name="action"/> on the capture thread between batches.</summary>
    public Task<T> InvokeAsync<T>(Func<PacketProcessor, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopping || !_thread.IsAlive)
        {
            completion.SetException(new InvalidOperationException("the capture thread is not running"));
            return completion.Task;
        }

        _work.Enqueue(processor =>
        {
            try
            {
                completion.SetResult(action(processor));
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        _device.Wake();
        return completion.Task;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(2));
        while (_work.TryDequeue(out _))
        {
        }
    }

    private void Run()
    {
        Log.CaptureStarted(_logger, _device.Name, _thread.Name!);
        while (!_stopping)
        {
            int handled;
            try
            {
                _processor.BeginBatch();
                while (_work.TryDequeue(out var work))
                {
                    work(_processor);
                }

                handled = _device.Dispatch(_processor, _batchSize);

                // A batching device (AF_PACKET) sends what the batch, the work items and the timers
                // staged with one system call; it must happen before blocking, or replies would wait
                // for the next frame.
                _processor.Transmitter.Flush();
                if (Environment.TickCount64 - _statisticsReadAt >= 1000)
                {
                    ReadStatistics();
                }

                if (handled == 0)
                {
                    _device.Wait(IdleWait);
                }
            }
            catch (Exception ex)
            {
                // A bug must not take the director down; log it and keep forwarding.
                Errors++;
                Log.DataPathError(_logger, ex);
                Thread.Sleep(10);
            }
        }

        ReadStatistics();
        Log.CaptureStopped(_logger, _device.Name, _thread.Name!, _processor.Counters.Received, _processor.Counters.Forwarded);
    }

    private void ReadStatistics()
    {
        try
        {
            // One small allocation a second, off the per-packet path, so readers never see a torn value.
            _statistics = new StrongBox<CaptureStatistics>(_device.GetStatistics());
        }
        catch (PcapException)
        {
            // The counters are informational; a failed read keeps the last ones.
        }

        _statisticsReadAt = Environment.TickCount64;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 104, EventName = "CaptureStarted", Level = LogLevel.Information, Message = "Capture thread {Thread} started on {Interface}")]
        public static partial void CaptureStarted(ILogger logger, string @interface, string thread);

        [LoggerMessage(EventId = 105, EventName = "CaptureStopped", Level = LogLevel.Information, Message = "Capture thread {Thread} stopped on {Interface} after {Received} frames received and {Forwarded} forwarded")]
        public static partial void CaptureStopped(ILogger logger, string @interface, string thread, long received, long forwarded);

        [LoggerMessage(EventId = 301, EventName = "DataPathError", Level = LogLevel.Error, Message = "Unexpected error in the data path; the batch was abandoned")]
        public static partial void DataPathError(ILogger logger, Exception exception);
    }
}

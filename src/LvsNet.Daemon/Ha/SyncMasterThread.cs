using System.Net.Sockets;
using LvsNet.Core.Configuration;
using LvsNet.Core.Sync;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The master sync daemon: one thread that takes the records the capture threads queued, packs
/// them into messages of at most sync_maxlen bytes and sends each when it is full, or 2 s after its
/// first record at the latest (the kernel's IPVS_SYNC_FLUSH_TIME). It looks at the queues every
/// 20 ms (IPVS_SYNC_SEND_DELAY), so a full message waits no longer than that.
/// </summary>
/// <remarks>The only consumer of <see cref="SyncHub.Outbound"/>; the capture threads never wait for it.</remarks>
internal sealed class SyncMasterThread : IDisposable
{
    private static readonly TimeSpan FlushAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly SyncHub _hub;
    private readonly Socket _socket;
    private readonly SyncMessageWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly SyncAuthenticator? _auth;
    private readonly byte[]? _signed;
    private long _firstRecordAt;

    public SyncMasterThread(SyncHub hub, SyncDaemonConfig config, string interfaceName, TimeProvider time, ILogger logger)
    {
        _hub = hub;
        _time = time;
        _logger = logger;
        MaxLength = SyncEndpoint.MasterMaxLength(config);
        _writer = new SyncMessageWriter(config.Version, MaxLength, (byte)config.SyncId);
        _socket = SyncEndpoint.OpenSender(interfaceName, config.Group, config.Port, config.Ttl);
        if (config.AuthKey is { } key)
        {
            _auth = new SyncAuthenticator(Convert.FromHexString(key));
            _signed = new byte[MaxLength + SyncAuthenticator.TrailerLength];
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "lvsnet-sync-master" };
        hub.Master = new SyncMasterSettings(config.Version, config.Threshold, config.Period)
        {
            ResyncPeriodTicks = Core.Connections.ConnectionClock.ToTicks(config.ResyncPeriod),
            ResyncRate = config.ResyncRate,
            RefreshPeriodTicks = Core.Connections.ConnectionClock.ToTicks(config.RefreshPeriod),
            Retries = config.Retries,
        };
        _thread.Start();
    }

    /// <summary>The message length in use.</summary>
    public int MaxLength { get; }

    public void Dispose()
    {
        _hub.Master = null;
        _stop.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsSet)
        {
            try
            {
                Drain();
                if (_writer.Count > 0 && _time.GetElapsedTime(_firstRecordAt) >= FlushAfter)
                {
                    Send();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                HaLog.SyncDaemonFailed(_logger, ex, "master", ex.Message);
            }

            _stop.Wait(Poll);
        }

        // What is packed goes out before the daemon stops (a clean stop loses nothing already queued).
        Drain();
        if (_writer.Count > 0)
        {
            Send();
        }
    }

    private void Drain()
    {
        foreach (var queue in _hub.Outbound)
        {
            while (queue.TryDequeue(out var record))
            {
                if (!_writer.TryAdd(record))
                {
                    Send();
                    _writer.TryAdd(record);
                }

                if (_writer.Count == 1)
                {
                    _firstRecordAt = _time.GetTimestamp();
                }
            }
        }
    }

    private void Send()
    {
        var count = _writer.Count;
        try
        {
            if (_auth is null)
            {
                _socket.Send(_writer.Message);
            }
            else
            {
                // The authenticated mode: the IPVS message, then the sequence and HMAC trailer.
                _writer.Message.CopyTo(_signed);
                _socket.Send(_signed.AsSpan(0, _auth.Sign(_signed, _writer.Message.Length, _time.GetUtcNow())));
            }

            _hub.Counters.OnMessageSent(count);
        }
        catch (SocketException)
        {
            // ECONNREFUSED from an ICMP error of a unicast peer, ENOBUFS: the message is lost, as in the kernel.
            _hub.Counters.OnSendError();
        }
        finally
        {
            _writer.Reset();
        }
    }
}

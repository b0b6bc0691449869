using System.Net;
using System.Net.Sockets;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The backup sync daemon: one thread that receives sync messages, reads them with the backup's
/// checks (<see cref="SyncMessageReader"/>), hands each record to the capture thread that owns its
/// client, and wakes that thread. The capture threads apply the records to their tables.
/// </summary>
internal sealed class SyncBackupThread : IDisposable
{
    private static readonly int PollMicroseconds = 250_000;

    private readonly SyncHub _hub;
    private readonly LvsRuntime _runtime;
    private readonly Action<int> _wake;
    private readonly Socket _socket;
    private readonly byte _syncId;
    private readonly byte[] _buffer;
    private readonly SyncConnection[] _records = new SyncConnection[SyncWire.MaxConnectionsPerMessage];
    private readonly SyncMessageReader _reader = new();
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly SyncAuthenticator? _auth;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly long[] _lastAuthLog = new long[5];
    private volatile bool _stopping;

    public SyncBackupThread(SyncHub hub, LvsRuntime runtime, SyncDaemonConfig config, string interfaceName, int mtu, Action<int> wake, ILogger logger)
    {
        _hub = hub;
        _runtime = runtime;
        _wake = wake;
        _logger = logger;
        _syncId = (byte)config.SyncId;
        _hub.BackupThreshold = config.Threshold;
        MaxLength = SyncEndpoint.BackupMaxLength(config, mtu);
        _auth = config.AuthKey is { } key ? new SyncAuthenticator(Convert.FromHexString(key)) : null;
        _buffer = new byte[MaxLength + (_auth is null ? 0 : SyncAuthenticator.TrailerLength)];
        _socket = SyncEndpoint.OpenReceiver(interfaceName, config.Group, config.Port);
        _thread = new Thread(Run) { IsBackground = true, Name = "lvsnet-sync-backup" };
        _thread.Start();
    }

    /// <summary>The largest message read.</summary>
    public int MaxLength { get; }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
    }

    private void Run()
    {
        var counters = _hub.Counters;
        var touched = new bool[_hub.Inbound.Length];
        while (!_stopping)
        {
            int length;
            uint sender;
            try
            {
                if (!_socket.Poll(PollMicroseconds, SelectMode.SelectRead))
                {
                    continue;
                }

                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                length = _socket.ReceiveFrom(_buffer, ref from);
                sender = from is IPEndPoint ip ? Ipv4Address.FromIPAddress(ip.Address) : 0;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (!_stopping)
                {
                    HaLog.SyncDaemonFailed(_logger, ex, "backup", ex.Message);
                    Thread.Sleep(250);
                }

                continue;
            }

            counters.OnMessageReceived();
            if (_auth is not null)
            {
                var verdict = _auth.Verify(_buffer.AsSpan(0, length), sender, _time.GetUtcNow(), out var messageLength);
                if (verdict != SyncAuthStatus.Accepted)
                {
                    counters.OnAuthRefused(verdict);
                    LogRefusal(verdict, sender, length);
                    continue;
                }

                length = messageLength;
            }

            var status = _reader.Read(_buffer.AsSpan(0, length), _syncId, _records, out var count);
            counters.OnRecordsRead(count, _reader.Skipped);
            if (status != SyncMessageStatus.Accepted)
            {
                counters.OnMessageRefused();
                HaLog.SyncMessageRefused(_logger, status.ToString(), length);
                if (status != SyncMessageStatus.Malformed || count == 0)
                {
                    continue;
                }
            }

            Deliver(count, touched);
        }
    }

    // A refusal is a warning (someone sends sync messages that are not the master's), at most one a second per reason.
    private void LogRefusal(SyncAuthStatus verdict, uint sender, int length)
    {
        ref var last = ref _lastAuthLog[(int)verdict];
        var now = _time.GetTimestamp();
        if (last == 0 || _time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(1))
        {
            last = now;
            HaLog.SyncMessageUnauthenticated(_logger, verdict.ToString(), Ipv4Address.Format(sender), length);
        }
    }

    private void Deliver(int count, bool[] touched)
    {
        var snapshot = _runtime.Current;
        var workers = _hub.Inbound.Length;
        var mask = workers > 1 && snapshot is not null ? FlowSteering.KeyMask(snapshot) : uint.MaxValue;
        var prefix6 = workers > 1 && snapshot is not null ? FlowSteering.KeyPrefixLength6(snapshot) : 128;
        Array.Clear(touched);
        for (var i = 0; i < count; i++)
        {
            // The worker the steering program gives the client's packets (IPv6: its folded address).
            var key = _records[i].IsIpv6 ? FlowSteering.Key6(_records[i].ClientAddress6, prefix6) : _records[i].ClientAddress & mask;
            var worker = workers == 1 ? 0 : FlowSteering.Owner(key, workers);
            _hub.Deliver(_records[i], worker);
            touched[worker] = true;
        }

        for (var worker = 0; worker < workers; worker++)
        {
            if (touched[worker])
            {
                _wake(worker);
            }
        }
    }
}

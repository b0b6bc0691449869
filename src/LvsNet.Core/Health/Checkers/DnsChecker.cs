using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived DNS_CHECK: sends one query (recursion desired) over UDP and is up when an answer
/// with the same id, the QR bit and RCODE 0 (NOERROR) arrives before the check's time runs out.
/// </summary>
/// <remarks>Answers with another id (late answers to an earlier query) are skipped.</remarks>
public sealed class DnsChecker : IHealthChecker
{
    private readonly DnsCheckConfig _config;
    private readonly CheckTarget _target;
    private readonly TimeProvider _time;

    /// <summary>Creates the checker.</summary>
    public DnsChecker(DnsCheckConfig config, CheckTarget target, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        _config = config;
        _target = target;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Builds a query: header (id, RD), one question (name, type, class IN).</summary>
    public static byte[] BuildQuery(ushort id, string name, ushort type)
    {
        ArgumentNullException.ThrowIfNull(name);
        var labels = name == "." ? [] : name.TrimEnd('.').Split('.');
        var length = 12 + labels.Sum(l => 1 + Encoding.ASCII.GetByteCount(l)) + 1 + 4;
        var query = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(query, id);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(2), 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(4), 1);
        var offset = 12;
        foreach (var label in labels)
        {
            var count = Encoding.ASCII.GetBytes(label, query.AsSpan(offset + 1));
            query[offset] = (byte)count;
            offset += 1 + count;
        }

        query[offset++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(offset + 2), 1);
        return query;
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = BuildQuery(id, _config.Name, DnsCheckConfig.QueryTypes[_config.QueryType]);
        try
        {
            using var socket = ProbeSocket.Create(_target, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(_target.Endpoint, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var answer = new byte[1500];
            while (true)
            {
                var received = await socket.ReceiveAsync(answer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (received < 12 || BinaryPrimitives.ReadUInt16BigEndian(answer) != id)
                {
                    continue;
                }

                var flags = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(2));
                var rcode = flags & 0x000F;
                if ((flags & 0x8000) == 0)
                {
                    return CheckResult.Failed("the answer is not a DNS response", _time.GetElapsedTime(started));
                }

                return rcode == 0
                    ? CheckResult.Passed($"{_config.QueryType} {_config.Name}: NOERROR", _time.GetElapsedTime(started))
                    : CheckResult.Failed($"{_config.QueryType} {_config.Name}: RCODE {rcode}", _time.GetElapsedTime(started));
            }
        }
        catch (SocketException ex)
        {
            // An ICMP port unreachable surfaces as ConnectionRefused/Reset on the connected UDP socket.
            return CheckResult.Failed(ProbeSocket.Describe(ex), _time.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

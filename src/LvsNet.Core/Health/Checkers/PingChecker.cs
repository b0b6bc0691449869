using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived PING_CHECK: one ICMP echo request (RFC 792, or ICMPv6 RFC 4443 for an IPv6 target)
/// from a raw socket; up when the echo reply with the same identifier and sequence arrives from the
/// target within the check's time, down on a destination-unreachable or time-exceeded about the
/// request, or on silence.
/// </summary>
/// <remarks>
/// A raw ICMP socket sees every ICMP packet the host receives, so replies are matched by source,
/// identifier and sequence, and malformed packets are skipped (never thrown on). Needs CAP_NET_RAW,
/// which the daemon has for packet capture.
/// </remarks>
public sealed partial class PingChecker : IHealthChecker
{
    private const byte EchoReply = 0;
    private const byte DestinationUnreachable = 3;
    private const byte EchoRequest = 8;
    private const byte TimeExceeded = 11;
    private const int PayloadBytes = 16;

    private readonly CheckTarget _target;
    private readonly TimeProvider _time;
    private ushort _sequence;

    /// <summary>Creates the checker.</summary>
    public PingChecker(CheckTarget target, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Endpoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("PING_CHECK probes IPv4 or IPv6 addresses", nameof(target));
        }

        _target = target;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Builds an echo request: type 8, code 0, checksum, identifier, sequence, payload.</summary>
    public static byte[] BuildEchoRequest(ushort identifier, ushort sequence)
    {
        var packet = new byte[8 + PayloadBytes];
        packet[0] = EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        "LvsNet PING_CHK!"u8.CopyTo(packet.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), InternetChecksum.Compute(packet));
        return packet;
    }

    /// <summary>
    /// Classifies an IPv4 packet a raw ICMP socket received: <c>true</c> = the awaited echo reply,
    /// <c>false</c> = an ICMP error about the awaited request, <c>null</c> = something else (or malformed).
    /// </summary>
    public static bool? Classify(ReadOnlySpan<byte> packet, uint expectedSource, ushort identifier, ushort sequence)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            return null;
        }

        var headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < 20 || packet.Length < headerLength + 8 || packet[9] != (byte)IpProtocol.Icmp)
        {
            return null;
        }

        var icmp = packet[headerLength..];
        switch (icmp[0])
        {
            case EchoReply:
                var source = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
                return source == expectedSource && BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) == identifier && BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]) == sequence
                    ? true
                    : null;
            case DestinationUnreachable or TimeExceeded:
                // The error quotes our request's IP header and its first 8 bytes (RFC 792).
                var quoted = icmp[8..];
                if (quoted.Length < 20 || quoted[0] >> 4 != 4)
                {
                    return null;
                }

                var quotedHeader = (quoted[0] & 0x0F) * 4;
                if (quotedHeader < 20 || quoted.Length < quotedHeader + 8 || quoted[9] != (byte)IpProtocol.Icmp
                    || BinaryPrimitives.ReadUInt32BigEndian(quoted[16..]) != expectedSource)
                {
                    return null;
                }

                var request = quoted[quotedHeader..];
                return request[0] == EchoRequest && BinaryPrimitives.ReadUInt16BigEndian(request[4..]) == identifier && BinaryPrimitives.ReadUInt16BigEndian(request[6..]) == sequence
                    ? false
                    : null;
            default:
                return null;
        }
    }

    /// <inheritdoc />
    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) =>
        _target.Endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? CheckIpv6Async(cancellationToken) : CheckIpv4Async(cancellationToken);

    private async Task<CheckResult> CheckIpv4Async(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var identifier = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var sequence = ++_sequence;
        var destination = Ipv4Address.FromIPAddress(_target.Endpoint.Address);
        try
        {
            using var socket = ProbeSocket.Create(_target with { Endpoint = new IPEndPoint(_target.Endpoint.Address, 0) }, SocketType.Raw, ProtocolType.Icmp);
            await socket.SendToAsync(BuildEchoRequest(identifier, sequence), SocketFlags.None, new IPEndPoint(_target.Endpoint.Address, 0), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[1500];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                switch (Classify(buffer.AsSpan(0, received), destination, identifier, sequence))
                {
                    case true:
                        return CheckResult.Passed("echo reply", _time.GetElapsedTime(started));
                    case false:
                        return CheckResult.Failed(buffer[(buffer[0] & 0x0F) * 4] == TimeExceeded ? "time exceeded" : "destination unreachable", _time.GetElapsedTime(started));
                }
            }
        }
        catch (SocketException ex)
        {
            return CheckResult.Failed(ex.SocketErrorCode == SocketError.AccessDenied ? "permission denied (a raw ICMP socket needs CAP_NET_RAW)" : ProbeSocket.Describe(ex), _time.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Health.Checkers;

/// <summary>PING_CHECK of an IPv6 real server: ICMPv6 echo (RFC 4443 §4) from a raw ICMPv6 socket.</summary>
public sealed partial class PingChecker
{
    private const byte Icmpv6DestinationUnreachable = 1;
    private const byte Icmpv6TimeExceeded = 3;
    private const byte Icmpv6EchoRequest = 128;
    private const byte Icmpv6EchoReply = 129;
    private const int Ipv6HeaderBytes = 40;

    /// <summary>
    /// Builds an ICMPv6 echo request: type 128, code 0, checksum 0, identifier, sequence, payload.
    /// The checksum stays 0: on a raw ICMPv6 socket the kernel computes it over the pseudo-header
    /// of the addresses it picks (RFC 3542 §3.1), which the sender does not know beforehand.
    /// </summary>
    public static byte[] BuildEchoRequest6(ushort identifier, ushort sequence)
    {
        var packet = new byte[8 + PayloadBytes];
        packet[0] = Icmpv6EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        "LvsNet PING_CHK!"u8.CopyTo(packet.AsSpan(8));
        return packet;
    }

    /// <summary>
    /// Classifies an ICMPv6 message a raw ICMPv6 socket received (no IPv6 header: the kernel strips
    /// it, RFC 3542 §3) from <paramref name="source"/>: <c>true</c> = the awaited echo reply from the
    /// target, <c>false</c> = a destination-unreachable or time-exceeded quoting the awaited request
    /// to the target, <c>null</c> = anything else (neighbour discovery, other pings, malformed).
    /// </summary>
    public static bool? ClassifyIpv6(ReadOnlySpan<byte> message, Ipv6Address source, Ipv6Address target, ushort identifier, ushort sequence)
    {
        if (message.Length < 8)
        {
            return null;
        }

        switch (message[0])
        {
            case Icmpv6EchoReply:
                return source == target && IsOurs(message, identifier, sequence) ? true : null;
            case Icmpv6DestinationUnreachable or Icmpv6TimeExceeded:
                // RFC 4443 §3.1/§3.3: 4 unused bytes, then as much of the invoking packet as fits.
                // The request carries no extension headers, so its ICMPv6 header follows the IPv6 one.
                var quoted = message[8..];
                if (quoted.Length < Ipv6HeaderBytes + 8 || quoted[0] >> 4 != 6 || quoted[6] != Ipv6ExtensionHeaders.Icmpv6
                    || Ipv6Address.Read(quoted[24..]) != target)
                {
                    return null;
                }

                var request = quoted[Ipv6HeaderBytes..];
                return request[0] == Icmpv6EchoRequest && IsOurs(request, identifier, sequence) ? false : null;
            default:
                return null;
        }
    }

    private static bool IsOurs(ReadOnlySpan<byte> echo, ushort identifier, ushort sequence) =>
        BinaryPrimitives.ReadUInt16BigEndian(echo[4..]) == identifier && BinaryPrimitives.ReadUInt16BigEndian(echo[6..]) == sequence;

    private async Task<CheckResult> CheckIpv6Async(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var identifier = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var sequence = ++_sequence;
        var target = Ipv6Address.FromIPAddress(_target.Endpoint.Address);
        try
        {
            var destination = new IPEndPoint(_target.Endpoint.Address, 0);
            using var socket = ProbeSocket.Create(_target with { Endpoint = destination }, SocketType.Raw, ProtocolType.IcmpV6);
            await socket.SendToAsync(BuildEchoRequest6(identifier, sequence), SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[1500];
            EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                var from = Ipv6Address.FromIPAddress(((IPEndPoint)received.RemoteEndPoint).Address);
                switch (ClassifyIpv6(buffer.AsSpan(0, received.ReceivedBytes), from, target, identifier, sequence))
                {
                    case true:
                        return CheckResult.Passed("echo reply", _time.GetElapsedTime(started));
                    case false:
                        return CheckResult.Failed(buffer[0] == Icmpv6TimeExceeded ? "time exceeded" : "destination unreachable", _time.GetElapsedTime(started));
                }
            }
        }
        catch (SocketException ex)
        {
            return CheckResult.Failed(ex.SocketErrorCode == SocketError.AccessDenied ? "permission denied (a raw ICMPv6 socket needs CAP_NET_RAW)" : ProbeSocket.Describe(ex), _time.GetElapsedTime(started));
        }
    }
}

using LvsNet.PacketIo;
using LvsNet.PacketIo.Tun;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.RealServer;

/// <summary>
/// Takes the tunnelled frames the director sends to this real server — IPv4-in-IPv4 (protocol 4),
/// IPv6-in-IPv4 (protocol 41), IPv4-in-IPv6 (next header 4) and IPv6-in-IPv6 (next header 41) —
/// strips the outer header and hands the inner packet (client → VIP) to the local stack through a
/// TUN device, so the reply leaves directly to the client. Used where the kernel has no ipip, sit or
/// ip6_tunnel module.
/// </summary>
/// <remarks>
/// Runs on one thread. Malformed frames, outer fragments and inner packets not addressed to a VIP
/// of their family are counted and dropped, never thrown on. The TUN device (no packet
/// information header) tells the kernel the inner family by the version nibble.
/// </remarks>
public sealed class TunnelDecapsulator : IFrameHandler
{
    private readonly TunDevice _device;
    private readonly uint[] _virtualAddresses;
    private readonly UInt128[] _virtualAddresses6;

    /// <summary>Creates the decapsulator for packets to <paramref name="virtualAddresses"/> and <paramref name="virtualAddresses6"/>.</summary>
    public TunnelDecapsulator(TunDevice device, IEnumerable<uint> virtualAddresses, IEnumerable<Ipv6Address>? virtualAddresses6 = null)
    {
        _device = device;
        _virtualAddresses = [.. virtualAddresses.Order()];
        _virtualAddresses6 = [.. (virtualAddresses6 ?? []).Select(a => a.Value).Order()];
    }

    /// <summary>Inner packets delivered.</summary>
    public long Delivered { get; private set; }

    /// <summary>Frames dropped (malformed, not tunnelled, not for a VIP, refused by the kernel).</summary>
    public long Dropped { get; private set; }

    /// <inheritdoc />
    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        if (frame.Length < wireLength || !EthernetHeader.TryParse(frame, out var eth) || !TryOuterPayload(eth, out var protocol, out var payload))
        {
            Dropped++;
            return;
        }

        ReadOnlySpan<byte> inner;
        if (protocol == IpProtocol.IpIp && Ipv4Header.TryParse(payload, out var inner4) && Array.BinarySearch(_virtualAddresses, inner4.Destination) >= 0)
        {
            inner = inner4.Packet;
        }
        else if (protocol == IpProtocol.Ipv6InIp && Ipv6Header.TryParse(payload, out var inner6) && Array.BinarySearch(_virtualAddresses6, inner6.Destination.Value) >= 0)
        {
            inner = inner6.Packet;
        }
        else
        {
            Dropped++;
            return;
        }

        if (_device.Write(inner))
        {
            Delivered++;
        }
        else
        {
            Dropped++;
        }
    }

    // The outer header's protocol (4 or 41) and payload; false for anything else or a fragment.
    private static bool TryOuterPayload(EthernetHeader eth, out IpProtocol protocol, out ReadOnlySpan<byte> payload)
    {
        protocol = default;
        payload = default;
        if (eth.EtherType == EtherType.Ipv4)
        {
            if (!Ipv4Header.TryParse(eth.Payload, out var outer) || outer.IsFragment)
            {
                return false;
            }

            protocol = outer.Protocol;
            payload = outer.Payload;
        }
        else if (eth.EtherType == EtherType.Ipv6)
        {
            // The director writes no extension header: the tunnelled packet follows the fixed header.
            if (!Ipv6Header.TryParse(eth.Payload, out var outer))
            {
                return false;
            }

            protocol = (IpProtocol)outer.NextHeader;
            payload = outer.Payload;
        }
        else
        {
            return false;
        }

        return protocol is IpProtocol.IpIp or IpProtocol.Ipv6InIp;
    }
}

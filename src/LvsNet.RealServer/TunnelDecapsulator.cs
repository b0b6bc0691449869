using LvsNet.PacketIo;
using LvsNet.PacketIo.Tun;
using LvsNet.Packets;

namespace LvsNet.RealServer;

/// <summary>
/// Takes the IPIP frames the director sends to this real server, strips the outer IPv4 header and
/// hands the inner packet (client → VIP) to the local stack through a TUN device, so the reply
/// leaves directly to the client. Used where the kernel has no ipip module.
/// </summary>
/// <remarks>Runs on one thread. Malformed frames and inner packets not addressed to a VIP are counted and dropped, never thrown on.</remarks>
public sealed class TunnelDecapsulator : IFrameHandler
{
    private readonly TunDevice _device;
    private readonly uint[] _virtualAddresses;

    /// <summary>Creates the decapsulator for packets to <paramref name="virtualAddresses"/>.</summary>
    public TunnelDecapsulator(TunDevice device, IEnumerable<uint> virtualAddresses)
    {
        _device = device;
        _virtualAddresses = [.. virtualAddresses.Order()];
    }

    /// <summary>Inner packets delivered.</summary>
    public long Delivered { get; private set; }

    /// <summary>Frames dropped (malformed, not IPIP, not for a VIP, refused by the kernel).</summary>
    public long Dropped { get; private set; }

    /// <inheritdoc />
    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        if (frame.Length < wireLength
            || !EthernetHeader.TryParse(frame, out var eth)
            || eth.EtherType != EtherType.Ipv4
            || !Ipv4Header.TryParse(eth.Payload, out var outer)
            || outer.Protocol != IpProtocol.IpIp
            || outer.IsFragment
            || !Ipv4Header.TryParse(outer.Payload, out var inner)
            || Array.BinarySearch(_virtualAddresses, inner.Destination) < 0)
        {
            Dropped++;
            return;
        }

        if (_device.Write(inner.Packet))
        {
            Delivered++;
        }
        else
        {
            Dropped++;
        }
    }
}

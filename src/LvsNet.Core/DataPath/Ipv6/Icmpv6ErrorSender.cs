using System.Runtime.CompilerServices;
using LvsNet.Core.DataPath.Icmp;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// ICMPv6 errors the director itself sends (RFC 4443): destination unreachable / port unreachable
/// when no real server is available for a new flow (IPVS ip_vs_leave), time exceeded when a
/// packet's hop limit expires here, packet too big when a packet does not fit the capture NIC's
/// MTU. Each quotes as much of the invoking packet as fits in 1,280 bytes, comes from the address
/// the invoking packet was sent to (the VIP: the kernel's icmp6_send picks the destination when it
/// is a local address), and goes back to the frame's sender.
/// </summary>
/// <remarks>
/// RFC 4443 §2.4(e) is applied before anything is sent: no error about an ICMPv6 error or a
/// redirect, none to an unspecified or multicast source, none about a packet sent to a multicast
/// address (except packet too big). Every error then takes a token from the ICMP sender's bucket
/// (one budget for both families, as the kernel's icmp_global_allow); an empty bucket suppresses
/// it (counted).
/// </remarks>
internal sealed class Icmpv6ErrorSender
{
    private readonly Egress _egress;
    private readonly IcmpErrorSender _budget;
    private readonly DataPathCounters _counters;

    public Icmpv6ErrorSender(Egress egress, IcmpErrorSender budget, DataPathCounters counters)
    {
        _egress = egress;
        _budget = budget;
        _counters = counters;
    }

    /// <summary>Destination unreachable, code 4 (port unreachable), as IPVS answers a new flow no server can take.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void SendPortUnreachable(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain)
    {
        if (Send(frame, ip, in chain, Icmpv6.DestinationUnreachable, Icmpv6ErrorWriter.CodePortUnreachable, 0))
        {
            _counters._icmpv6UnreachableSent++;
        }
    }

    /// <summary>Time exceeded, code 0 (hop limit exceeded in transit).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void SendTimeExceeded(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain)
    {
        if (Send(frame, ip, in chain, Icmpv6.TimeExceeded, Icmpv6ErrorWriter.CodeHopLimitExceeded, 0))
        {
            _counters._icmpv6TimeExceededSent++;
        }
    }

    /// <summary>Packet too big carrying <paramref name="mtu"/>, the largest packet the next link takes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void SendPacketTooBig(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain, int mtu)
    {
        if (Send(frame, ip, in chain, Icmpv6.PacketTooBig, 0, (uint)mtu))
        {
            _counters._icmpv6PacketTooBigSent++;
        }
    }

    private bool Send(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain, byte type, byte code, uint parameter)
    {
        if (!Icmpv6ErrorWriter.MayAnswer(ip, in chain, type))
        {
            return false;
        }

        if (!_budget.TryTakeToken())
        {
            _counters._icmpv6ErrorsSuppressed++;
            return false;
        }

        var scratch = _egress.Scratch;
        var sender = MacAddress.Read(frame.Slice(MacAddress.Length));
        var length = Icmpv6ErrorWriter.WriteErrorFrame(scratch, sender, _egress.Mac, ip.Destination, ip.Packet, type, code, parameter);
        // A failed send is not a drop of its own: the invoking packet is already counted under its reason.
        return _egress.Send(scratch.Slice(0, length));
    }
}

using System.Runtime.CompilerServices;
using LvsNet.Core.DataPath.Fragments;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// The IPv6 half of the dispatcher (ethertype 0x86DD): checks the fixed header, walks the
/// extension headers with the bounded walker, and hands neighbour discovery to
/// <see cref="NeighborDiscoveryHandler"/>, TCP/UDP to a VIP to <see cref="Ipv6ClientHandler"/> and
/// TCP/UDP from a NAT real server to someone else or from a FULLNAT real server to a local address to <see cref="Ipv6ReplyHandler"/> and other
/// ICMPv6 to a VIP to <see cref="Icmpv6Handler"/>. As a router does, it answers a client's packet
/// whose hop limit expires here with time exceeded and one larger than the capture NIC's MTU with
/// packet too big (<see cref="Icmpv6ErrorSender"/>). Everything else addressed to the director
/// belongs to its kernel and is left alone.
/// </summary>
internal sealed class Ipv6PacketHandler
{
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly MacAddress _mac;
    private readonly NeighborDiscoveryHandler _neighborDiscovery;
    private readonly Ipv6ClientHandler _clients;
    private readonly Ipv6ReplyHandler _replies;
    private readonly Ipv6Address? _address;
    private readonly Icmpv6Handler _icmp;
    private readonly Icmpv6ErrorSender _errors;
    private readonly int _mtu;

    public Ipv6PacketHandler(
        DataPathCounters counters, DataPathState state, MacAddress mac, NeighborDiscoveryHandler neighborDiscovery, Ipv6ClientHandler clients, Ipv6ReplyHandler replies, Ipv6Address? address,
        Icmpv6Handler icmp, Icmpv6ErrorSender errors, int mtu)
    {
        _replies = replies;
        _address = address;
        _icmp = icmp;
        _errors = errors;
        _mtu = mtu;
        _counters = counters;
        _state = state;
        _mac = mac;
        _neighborDiscovery = neighborDiscovery;
        _clients = clients;
    }

    /// <summary>Collects fragmented TCP and UDP datagrams and forwards them once complete (set once at construction by the pipeline; without it fragments are dropped).</summary>
    public FragmentHandler? Fragments { get; init; }

    /// <summary>An IPv6 frame (<paramref name="eth"/> its Ethernet header).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Handle(ReadOnlySpan<byte> frame, int wireLength, EthernetHeader eth)
    {
        var snapshot = _state.Snapshot;
        var destinationMac = eth.Destination;
        if (snapshot is null || !snapshot.HasIpv6Services || (destinationMac != _mac && !destinationMac.IsMulticast))
        {
            // No IPv6 service, or a frame flooded to someone else.
            _counters._ignored++;
            return;
        }

        var l2Length = eth.HeaderLength;
        if (!Ipv6Header.TryParse(frame.Slice(l2Length), out var ip))
        {
            _counters.Drop(DropReason.MalformedIpv6);
            return;
        }

        var toVip = destinationMac == _mac && snapshot.IsVirtualAddress6(ip.Destination);
        var fullNatReply = !toVip && destinationMac == _mac && snapshot.LocalAddresses6.Length > 0 && snapshot.IsLocalAddress6(ip.Destination);
        var natReply = fullNatReply || (!toVip && destinationMac == _mac && IsNatReply(ip, snapshot));
        if (!toVip && !natReply && !(destinationMac.IsMulticast && ip.NextHeader == Ipv6ExtensionHeaders.Icmpv6) && !IsNeighborDiscoveryToUs(ip, destinationMac))
        {
            // The director's own traffic (its kernel's), and multicast that is not ICMPv6.
            _counters._ignored++;
            return;
        }

        if (!Ipv6ExtensionHeaders.TryWalk(ip, out var chain, out _))
        {
            _counters.Drop(DropReason.Ipv6ExtensionHeaders);
            return;
        }

        if (chain.UpperLayer == Ipv6ExtensionHeaders.Icmpv6 && !chain.IsFragment)
        {
            var type = ip.Packet.Length - chain.UpperLayerOffset >= 1 ? ip.Packet[chain.UpperLayerOffset] : (byte)0;
            if (type is Icmpv6.NeighborSolicitation or Icmpv6.NeighborAdvertisement)
            {
                _neighborDiscovery.Handle(eth, ip, chain.UpperLayerOffset, snapshot);
                return;
            }
        }

        if (natReply)
        {
            HandleReply(frame, wireLength, l2Length, ip, chain, fullNatReply);
            return;
        }

        if (!toVip)
        {
            _counters._ignored++;
            return;
        }

        HandleToVip(frame, wireLength, l2Length, ip, chain, snapshot);
    }

    private void HandleToVip(ReadOnlySpan<byte> frame, int wireLength, int l2Length, Ipv6Header ip, Ipv6Chain chain, LvsSnapshot snapshot)
    {
        if (!_state.Active)
        {
            _counters.Drop(DropReason.Standby);
            return;
        }

        if (frame.Length < wireLength)
        {
            _counters.Drop(DropReason.Truncated);
            return;
        }

        var source = ip.Source;
        if (source.IsMulticast || source.IsUnspecified || source.IsLoopback || source.IsIpv4Mapped)
        {
            _counters.Drop(DropReason.MartianSource);
            return;
        }

        // A VIP, local address or floating address as the source: ours, so spoofed (as for IPv4).
        if (snapshot.IsOwnedAddress6(source))
        {
            _counters.Drop(DropReason.OwnAddressSource);
            return;
        }

        if (chain.IsFragment)
        {
            HandleFragment(frame, l2Length, ip, in chain, FragmentOrigin.Client);
            return;
        }

        if (chain.UpperLayer is (byte)IpProtocol.Tcp or (byte)IpProtocol.Udp && (ip.HopLimit <= 1 || ip.Packet.Length > _mtu))
        {
            RefuseToForward(frame, ip, chain);
            return;
        }

        switch (chain.UpperLayer)
        {
            case (byte)IpProtocol.Tcp:
                _clients.HandleTcp(frame, l2Length, ip, chain.UpperLayerOffset, snapshot);
                break;
            case (byte)IpProtocol.Udp:
                _clients.HandleUdp(frame, l2Length, ip, chain.UpperLayerOffset, snapshot);
                break;
            case Ipv6ExtensionHeaders.Icmpv6:
                _icmp.HandleToVip(frame, l2Length, ip, chain);
                break;
            default:
                _counters.Drop(DropReason.UnsupportedProtocol);
                break;
        }
    }

    // From a NAT real server to an address that can be a client: not the director's own (its
    // kernel's health checks and management), not link-local (neighbour discovery to the director).
    private bool IsNatReply(Ipv6Header ip, LvsSnapshot snapshot)
    {
        var destination = ip.Destination;
        return snapshot.IsNatServerAddress6(ip.Source)
            && !destination.IsLinkLocal && !destination.IsMulticast && !destination.IsUnspecified
            && destination != _address;
    }

    private void HandleReply(ReadOnlySpan<byte> frame, int wireLength, int l2Length, Ipv6Header ip, Ipv6Chain chain, bool fullNat)
    {
        if (!_state.Active)
        {
            _counters.Drop(DropReason.Standby);
            return;
        }

        if (frame.Length < wireLength)
        {
            _counters.Drop(DropReason.Truncated);
            return;
        }

        if (chain.IsFragment)
        {
            HandleFragment(frame, l2Length, ip, in chain, fullNat ? FragmentOrigin.FullNatReply : FragmentOrigin.NatReply);
            return;
        }

        if (ip.HopLimit <= 1 && chain.UpperLayer is (byte)IpProtocol.Tcp or (byte)IpProtocol.Udp)
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _replies.Handle(frame, l2Length, ip, in chain, fullNat);
    }

    /// <summary>
    /// A fragment (not an atomic one: RFC 6946 makes those unfragmented packets, and the walk says
    /// so). TCP and UDP datagrams are collected and forwarded in their fragments
    /// (<see cref="FragmentHandler"/>); other protocols are not forwarded in pieces. The first
    /// fragment must name TCP or UDP; a later one names its fragment header's next header, which is
    /// TCP, UDP or an extension header of the fragmentable part (its datagram's first fragment
    /// decides). Hop limit (and for a client's fragment the MTU) is checked per fragment as for any packet; only a client's first
    /// fragment is answered with time exceeded (as for IPv4: a later one quotes no ports).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandleFragment(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, FragmentOrigin origin)
    {
        var transport = chain.UpperLayer is (byte)IpProtocol.Tcp or (byte)IpProtocol.Udp;
        if (Fragments is null || !(transport || (chain.FragmentOffset != 0 && Ipv6ExtensionHeaders.IsExtensionHeader(chain.UpperLayer))))
        {
            _counters.Drop(DropReason.Fragment);
            return;
        }

        if (ip.HopLimit <= 1 || (origin == FragmentOrigin.Client && ip.Packet.Length > _mtu))
        {
            if (origin == FragmentOrigin.Client && (chain.FragmentOffset == 0 || ip.HopLimit > 1))
            {
                RefuseToForward(frame, ip, in chain);
            }
            else
            {
                _counters.Drop(ip.HopLimit <= 1 ? DropReason.TtlExceeded : DropReason.Ipv6PacketTooBig);
            }

            return;
        }

        Fragments.Handle(frame, l2Length, ip, in chain, origin);
    }

    /// <summary>
    /// A TCP or UDP packet the director cannot forward, answered as the kernel's IPVS transmit path
    /// answers it (ip_vs_xmit.c): a hop limit that would reach 0 gets time exceeded (RFC 8200 §3,
    /// RFC 4443 §3.3); a packet larger than the egress MTU gets packet too big with that MTU
    /// (RFC 4443 §3.2; IPv6 routers never fragment). No connection is looked up or created for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RefuseToForward(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain)
    {
        if (ip.HopLimit <= 1)
        {
            _errors.SendTimeExceeded(frame, ip, in chain);
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _errors.SendPacketTooBig(frame, ip, in chain, _mtu);
        _counters.Drop(DropReason.Ipv6PacketTooBig);
    }

    // A unicast solicitation for a VIP, or an advertisement answering the director: addressed to its MAC.
    private static bool IsNeighborDiscoveryToUs(Ipv6Header ip, MacAddress destinationMac) =>
        ip.NextHeader == Ipv6ExtensionHeaders.Icmpv6 && !destinationMac.IsMulticast;
}

using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>A validated neighbour solicitation or advertisement (RFC 4861 §4.3, §4.4).</summary>
public readonly record struct NeighborDiscoveryMessage
{
    /// <summary><see cref="Icmpv6.NeighborSolicitation"/> or <see cref="Icmpv6.NeighborAdvertisement"/>.</summary>
    public byte Type { get; init; }

    /// <summary>The address asked about or advertised.</summary>
    public Ipv6Address Target { get; init; }

    /// <summary>The source (solicitation) or target (advertisement) link-layer address option, or zero when absent.</summary>
    public MacAddress LinkLayerAddress { get; init; }

    /// <summary>Advertisement: the router flag.</summary>
    public bool Router { get; init; }

    /// <summary>Advertisement: the solicited flag (an answer to a solicitation).</summary>
    public bool Solicited { get; init; }

    /// <summary>Advertisement: the override flag (replace a cached link-layer address).</summary>
    public bool Override { get; init; }
}

/// <summary>
/// Parses and writes the two neighbour discovery messages a director needs (RFC 4861): it answers
/// solicitations for its VIPs and local addresses, and resolves real servers and gateways.
/// </summary>
public static class NeighborDiscovery
{
    /// <summary>The length of a solicitation or advertisement without options.</summary>
    public const int MessageLength = 24;

    /// <summary>The length of one link-layer address option on Ethernet.</summary>
    public const int LinkLayerOptionLength = 8;

    private const byte SourceLinkLayerOption = 1;
    private const byte TargetLinkLayerOption = 2;
    private const uint RouterFlag = 0x8000_0000;
    private const uint SolicitedFlag = 0x4000_0000;
    private const uint OverrideFlag = 0x2000_0000;

    /// <summary>
    /// Validates an ICMPv6 neighbour solicitation or advertisement as RFC 4861 §7.1.1 and §7.1.2
    /// require of a receiver: hop limit 255, code 0, a verifying checksum, at least 24 bytes, a
    /// unicast target, options of non-zero length within the message; a solicitation from the
    /// unspecified address goes to a solicited-node address and carries no source link-layer
    /// option; an advertisement to a multicast address is not marked solicited.
    /// </summary>
    /// <param name="ip">The IPv6 header.</param>
    /// <param name="icmp">The ICMPv6 message (the upper layer of <paramref name="ip"/>'s chain).</param>
    /// <param name="message">The parsed message.</param>
    /// <returns>False for anything else, which a node silently discards.</returns>
    public static bool TryParse(Ipv6Header ip, ReadOnlySpan<byte> icmp, out NeighborDiscoveryMessage message)
    {
        message = default;
        if (icmp.Length < MessageLength || icmp[0] is not (Icmpv6.NeighborSolicitation or Icmpv6.NeighborAdvertisement) || icmp[1] != 0
            || ip.HopLimit != Icmpv6.NeighborDiscoveryHopLimit
            || !Icmpv6.Verifies(ip.Source, ip.Destination, Ipv6ExtensionHeaders.Icmpv6, icmp))
        {
            return false;
        }

        var type = icmp[0];
        var target = Ipv6Address.Read(icmp.Slice(8));
        if (target.IsMulticast)
        {
            return false;
        }

        var wanted = type == Icmpv6.NeighborSolicitation ? SourceLinkLayerOption : TargetLinkLayerOption;
        var linkLayer = MacAddress.Zero;
        var options = icmp.Slice(MessageLength);
        while (!options.IsEmpty)
        {
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                return false;
            }

            var length = options[1] * 8;
            if (options[0] == wanted && length == LinkLayerOptionLength)
            {
                linkLayer = MacAddress.Read(options.Slice(2));
            }

            options = options.Slice(length);
        }

        var flags = BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4));
        if (type == Icmpv6.NeighborSolicitation
            && ip.Source.IsUnspecified
            && (ip.Destination.Value >> 24 != Ipv6Address.Unspecified.SolicitedNode.Value >> 24 || !linkLayer.IsZero))
        {
            return false;
        }

        if (type == Icmpv6.NeighborAdvertisement && ip.Destination.IsMulticast && (flags & SolicitedFlag) != 0)
        {
            return false;
        }

        message = new NeighborDiscoveryMessage
        {
            Type = type,
            Target = target,
            LinkLayerAddress = linkLayer,
            Router = type == Icmpv6.NeighborAdvertisement && (flags & RouterFlag) != 0,
            Solicited = type == Icmpv6.NeighborAdvertisement && (flags & SolicitedFlag) != 0,
            Override = type == Icmpv6.NeighborAdvertisement && (flags & OverrideFlag) != 0,
        };
        return true;
    }

    /// <summary>The length of the frame <see cref="WriteFrame"/> writes: Ethernet, IPv6, the message and one link-layer option.</summary>
    public const int FrameLength = EthernetHeader.Length + Ipv6Header.Length + MessageLength + LinkLayerOptionLength;

    /// <summary>
    /// Writes a complete Ethernet frame with a neighbour solicitation (with the source link-layer
    /// option) or advertisement (with the target link-layer option), hop limit 255, checksum set.
    /// </summary>
    /// <param name="frame">At least <see cref="FrameLength"/> bytes.</param>
    /// <param name="type"><see cref="Icmpv6.NeighborSolicitation"/> or <see cref="Icmpv6.NeighborAdvertisement"/>.</param>
    /// <param name="destinationMac">The Ethernet destination (a solicitation to a solicited-node address uses its multicast MAC).</param>
    /// <param name="sourceMac">The sender's MAC, also written into the link-layer option.</param>
    /// <param name="source">The IPv6 source.</param>
    /// <param name="destination">The IPv6 destination.</param>
    /// <param name="target">The address asked about or advertised.</param>
    /// <param name="solicited">Advertisement: the S flag.</param>
    /// <param name="overrideFlag">Advertisement: the O flag.</param>
    /// <returns>The frame length.</returns>
    public static int WriteFrame(
        Span<byte> frame, byte type, MacAddress destinationMac, MacAddress sourceMac,
        Ipv6Address source, Ipv6Address destination, Ipv6Address target, bool solicited = false, bool overrideFlag = false)
    {
        if (type is not (Icmpv6.NeighborSolicitation or Icmpv6.NeighborAdvertisement))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a neighbour solicitation or advertisement");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, FrameLength);
        var offset = Writing.EthernetWriter.WriteHeader(frame, destinationMac, sourceMac, EtherType.Ipv6);
        var ip = frame.Slice(offset, Ipv6Header.Length);
        const int icmpLength = MessageLength + LinkLayerOptionLength;
        Ipv6Writer.WriteHeader(ip, icmpLength, Ipv6ExtensionHeaders.Icmpv6, Icmpv6.NeighborDiscoveryHopLimit, source, destination);

        var icmp = frame.Slice(offset + Ipv6Header.Length, icmpLength);
        icmp.Clear();
        icmp[0] = type;
        var flags = (solicited ? SolicitedFlag : 0) | (overrideFlag ? OverrideFlag : 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), type == Icmpv6.NeighborAdvertisement ? flags : 0);
        target.WriteTo(icmp.Slice(8));
        icmp[MessageLength] = type == Icmpv6.NeighborSolicitation ? SourceLinkLayerOption : TargetLinkLayerOption;
        icmp[MessageLength + 1] = 1;
        sourceMac.WriteTo(icmp.Slice(MessageLength + 2));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(source, destination, Ipv6ExtensionHeaders.Icmpv6, icmp));
        return FrameLength;
    }
}

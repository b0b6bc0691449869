using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Validation;

/// <summary>
/// The checks an IPv4 packet passes before the data path acts on it, after the rules of the
/// kernel's receive path (ip_rcv_core, ip_route_input_slow's martian checks, ip_rcv_options):
/// captured whole, a sane header length and total length, a right header checksum, no martian or
/// own source address, well-formed options without a source route, within the MTU. A fragment
/// that passes them (on the slow path) goes on to the fragment handler. Each failure is counted
/// under its own <see cref="DropReason"/>; docs/hardening.md lists where LvsNet deliberately
/// differs from the kernel.
/// </summary>
/// <remarks>
/// The common case (no options, nothing wrong) costs a few compares, one binary search of the
/// director's addresses and the header checksum; working out which check failed, and option
/// parsing, happen on the slow path only.
/// </remarks>
internal sealed class InputValidator
{
    private readonly DataPathCounters _counters;
    private readonly uint _address;
    private readonly int _mtu;

    public InputValidator(DataPathCounters counters, uint address, int mtu)
    {
        _counters = counters;
        _address = address;
        _mtu = mtu;
    }

    /// <summary>True when the packet may be handled; otherwise it was counted under its reason.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accept(ReadOnlySpan<byte> frame, int wireLength, Ipv4Header ip, LvsSnapshot snapshot)
    {
        var source = ip.Source;
        if (frame.Length >= wireLength
            && ip.HeaderLength == Ipv4Header.MinLength
            && ip.TotalLength <= _mtu
            && !ip.IsFragment
            && !Ipv4Address.IsMartianSource(source)
            && source != _address
            && !snapshot.IsOwnedAddress(source)
            && ip.IsChecksumValid)
        {
            return true;
        }

        return AcceptSlow(frame, wireLength, ip, snapshot);
    }

    /// <summary>Counts an IPv4 header that did not parse, under the reason the kernel would give.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void CountUnparsable(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < Ipv4Header.MinLength)
        {
            _counters.Drop(DropReason.Runt);
            return;
        }

        // ip_rcv_core: version 4 and IHL ≥ 5 first (header error), then the total length.
        var headerLength = (packet[0] & 0x0F) * 4;
        if ((packet[0] >> 4) != 4 || headerLength < Ipv4Header.MinLength || headerLength > packet.Length)
        {
            _counters.Drop(DropReason.MalformedIpv4);
            return;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2));
        _counters.Drop(totalLength < headerLength || totalLength > packet.Length ? DropReason.BadIpv4Length : DropReason.MalformedIpv4);
    }

    /// <summary>Works out which check failed, in the kernel's order; a packet whose only difference from the fast path is well-formed options passes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AcceptSlow(ReadOnlySpan<byte> frame, int wireLength, Ipv4Header ip, LvsSnapshot snapshot)
    {
        var reason = Classify(frame, wireLength, ip, snapshot);
        if (reason is { } drop)
        {
            _counters.Drop(drop);
            return false;
        }

        return true;
    }

    private DropReason? Classify(ReadOnlySpan<byte> frame, int wireLength, Ipv4Header ip, LvsSnapshot snapshot)
    {
        if (frame.Length < wireLength)
        {
            return DropReason.Truncated;
        }

        if (!ip.IsChecksumValid)
        {
            return DropReason.BadIpv4Checksum;
        }

        // ip_route_input_slow: martian sources, then fib_validate_source refuses a local address as source.
        var source = ip.Source;
        if (Ipv4Address.IsMartianSource(source))
        {
            return DropReason.MartianSource;
        }

        if (source == _address || snapshot.IsOwnedAddress(source))
        {
            return DropReason.OwnAddressSource;
        }

        if (ip.HeaderLength > Ipv4Header.MinLength)
        {
            switch (Ipv4OptionsCheck.Check(ip.Header.Slice(Ipv4Header.MinLength)))
            {
                case Ipv4OptionsVerdict.Malformed:
                    return DropReason.BadIpOptions;
                case Ipv4OptionsVerdict.SourceRoute:
                    return DropReason.SourceRoute;
            }
        }

        if (ip.TotalLength > _mtu)
        {
            return DropReason.Oversize;
        }

        return null;
    }
}

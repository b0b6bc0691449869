namespace LvsNet.Core.DataPath;

/// <summary>
/// The counters of one capture thread. Written only by that thread (plain increments of aligned
/// 64-bit fields, which are atomic on 64-bit runtimes); read by any thread.
/// </summary>
public sealed class DataPathCounters
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    private readonly long[] _drops = new long[ReasonCount];

    internal long _received;

    internal long _echoRepliesSent;

    internal long _icmpErrorsForwarded;

    internal long _forwarded;

    internal long _ignored;

    internal long _held;

    internal long _connectionsCreated;

    internal long _connectionsReused;

    internal long _arpRepliesSent;

    internal long _gratuitousArpsSent;

    internal long _neighborAdvertisementsSent;

    internal long _unsolicitedAdvertisementsSent;

    internal long _icmpErrorsSent;

    internal long _icmpErrorsSuppressed;

    internal long _toaInserted;

    internal long _icmpv6EchoRepliesSent;

    internal long _icmpv6UnreachableSent;

    internal long _icmpv6TimeExceededSent;

    internal long _icmpv6PacketTooBigSent;

    internal long _icmpv6ErrorsSuppressed;

    internal long _icmpv6ErrorsForwarded;

    internal long _fragmentsHeld;

    internal long _fragmentedDatagrams;

    internal long _synCookiesSent;

    internal long _synProxyOpened;

    internal long _synCookiesValid;

    /// <summary>Frames handed to the data path.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Frames forwarded to a real server.</summary>
    public long Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>
    /// Frames that waited for their next hop's MAC (ARP) instead of leaving at once; each is later
    /// counted as forwarded when it leaves, or dropped (<see cref="DropReason.NeighbourUnresolved"/>).
    /// </summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Frames that were not for a VIP (the director's own traffic, other ARP): left to the kernel, not dropped.</summary>
    public long Ignored => Volatile.Read(ref _ignored);

    /// <summary>Connections created.</summary>
    public long ConnectionsCreated => Volatile.Read(ref _connectionsCreated);

    /// <summary>Connections rescheduled because a new SYN reused a closed tuple.</summary>
    public long ConnectionsReused => Volatile.Read(ref _connectionsReused);

    /// <summary>ARP replies sent for VIPs.</summary>
    public long ArpRepliesSent => Volatile.Read(ref _arpRepliesSent);

    /// <summary>Neighbour advertisements sent in answer to solicitations for IPv6 VIPs.</summary>
    public long NeighborAdvertisementsSent => Volatile.Read(ref _neighborAdvertisementsSent);

    /// <summary>Unsolicited neighbour advertisements sent for IPv6 VIPs.</summary>
    public long UnsolicitedAdvertisementsSent => Volatile.Read(ref _unsolicitedAdvertisementsSent);

    /// <summary>Gratuitous ARPs sent for VIPs.</summary>
    public long GratuitousArpsSent => Volatile.Read(ref _gratuitousArpsSent);

    /// <summary>Echo replies sent for VIPs.</summary>
    public long EchoRepliesSent => Volatile.Read(ref _echoRepliesSent);

    /// <summary>ICMP errors about tracked connections forwarded (translated for NAT).</summary>
    public long IcmpErrorsForwarded => Volatile.Read(ref _icmpErrorsForwarded);

    /// <summary>ICMP errors sent (port unreachable when no server is available).</summary>
    public long IcmpErrorsSent => Volatile.Read(ref _icmpErrorsSent);

    /// <summary>ICMP errors not sent because of the rate limit.</summary>
    public long IcmpErrorsSuppressed => Volatile.Read(ref _icmpErrorsSuppressed);

    /// <summary>ICMPv6 echo replies sent for IPv6 VIPs.</summary>
    public long Icmpv6EchoRepliesSent => Volatile.Read(ref _icmpv6EchoRepliesSent);

    /// <summary>ICMPv6 destination unreachable (port unreachable) sent when no real server was available for a new IPv6 flow.</summary>
    public long Icmpv6UnreachableSent => Volatile.Read(ref _icmpv6UnreachableSent);

    /// <summary>ICMPv6 time exceeded sent for packets whose hop limit expired at the director.</summary>
    public long Icmpv6TimeExceededSent => Volatile.Read(ref _icmpv6TimeExceededSent);

    /// <summary>ICMPv6 packet too big sent for packets larger than the capture NIC's MTU.</summary>
    public long Icmpv6PacketTooBigSent => Volatile.Read(ref _icmpv6PacketTooBigSent);

    /// <summary>ICMPv6 errors not sent because of the rate limit (shared with ICMP).</summary>
    public long Icmpv6ErrorsSuppressed => Volatile.Read(ref _icmpv6ErrorsSuppressed);

    /// <summary>ICMPv6 errors about tracked IPv6 connections forwarded to their real server.</summary>
    public long Icmpv6ErrorsForwarded => Volatile.Read(ref _icmpv6ErrorsForwarded);

    /// <summary>FULLNAT connections whose client address went to the real server in a TOA option.</summary>
    public long ToaInserted => Volatile.Read(ref _toaInserted);

    /// <summary>IP fragments held until the rest of their datagram arrived (each is later forwarded or dropped by a reason).</summary>
    public long FragmentsHeld => Volatile.Read(ref _fragmentsHeld);

    /// <summary>Fragmented datagrams that were complete and forwarded fragment by fragment.</summary>
    public long FragmentedDatagrams => Volatile.Read(ref _fragmentedDatagrams);

    /// <summary>SYN-ACKs with a SYN cookie the SYN proxy answered SYNs with.</summary>
    public long SynCookiesSent => Volatile.Read(ref _synCookiesSent);

    /// <summary>Client ACKs whose cookie the SYN proxy found valid (each then goes through scheduling and the flood defences).</summary>
    public long SynCookiesValid => Volatile.Read(ref _synCookiesValid);

    /// <summary>Connections the SYN proxy opened after a client's ACK proved its cookie.</summary>
    public long SynProxyOpened => Volatile.Read(ref _synProxyOpened);

    /// <summary>The drop count for <paramref name="reason"/>.</summary>
    public long this[DropReason reason] => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>All drops.</summary>
    public long TotalDropped
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _drops.Length; i++)
            {
                total += Volatile.Read(ref _drops[i]);
            }

            return total;
        }
    }

    /// <summary>Counts one drop.</summary>
    public void Drop(DropReason reason) => _drops[(int)reason]++;

    /// <summary>Counts <paramref name="count"/> drops.</summary>
    public void Drop(DropReason reason, long count) => _drops[(int)reason] += count;

    /// <summary>The sum of several workers' counters, read now (allocates; for the control plane).</summary>
    public static DataPathCounters Sum(IReadOnlyList<DataPathCounters> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var sum = new DataPathCounters();
        foreach (var part in parts)
        {
            sum._received += part.Received;
            sum._forwarded += part.Forwarded;
            sum._ignored += part.Ignored;
            sum._held += part.Held;
            sum._connectionsCreated += part.ConnectionsCreated;
            sum._connectionsReused += part.ConnectionsReused;
            sum._arpRepliesSent += part.ArpRepliesSent;
            sum._gratuitousArpsSent += part.GratuitousArpsSent;
            sum._neighborAdvertisementsSent += part.NeighborAdvertisementsSent;
            sum._unsolicitedAdvertisementsSent += part.UnsolicitedAdvertisementsSent;
            sum._echoRepliesSent += part.EchoRepliesSent;
            sum._icmpErrorsForwarded += part.IcmpErrorsForwarded;
            sum._icmpErrorsSent += part.IcmpErrorsSent;
            sum._icmpErrorsSuppressed += part.IcmpErrorsSuppressed;
            sum._toaInserted += part.ToaInserted;
            sum._icmpv6EchoRepliesSent += part.Icmpv6EchoRepliesSent;
            sum._icmpv6UnreachableSent += part.Icmpv6UnreachableSent;
            sum._icmpv6TimeExceededSent += part.Icmpv6TimeExceededSent;
            sum._icmpv6PacketTooBigSent += part.Icmpv6PacketTooBigSent;
            sum._icmpv6ErrorsSuppressed += part.Icmpv6ErrorsSuppressed;
            sum._icmpv6ErrorsForwarded += part.Icmpv6ErrorsForwarded;
            sum._fragmentsHeld += part.FragmentsHeld;
            sum._fragmentedDatagrams += part.FragmentedDatagrams;
            sum._synCookiesSent += part.SynCookiesSent;
            sum._synProxyOpened += part.SynProxyOpened;
            sum._synCookiesValid += part.SynCookiesValid;
            for (var i = 0; i < sum._drops.Length; i++)
            {
                sum._drops[i] += part[(DropReason)i];
            }
        }

        return sum;
    }

    /// <summary>A copy of the drop counts by reason (allocates; for the control plane).</summary>
    public IReadOnlyDictionary<DropReason, long> DropsByReason()
    {
        var result = new Dictionary<DropReason, long>();
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            result[reason] = this[reason];
        }

        return result;
    }
}

namespace LvsNet.Control.Protocol;

/// <summary>The ICMPv6 messages the data path sent or forwarded for IPv6 services.</summary>
public sealed record Icmpv6Status
{
    /// <summary>Echo replies sent for IPv6 VIPs.</summary>
    public long EchoRepliesSent { get; init; }

    /// <summary>Destination unreachable (port unreachable) sent when no real server was available.</summary>
    public long UnreachableSent { get; init; }

    /// <summary>Time exceeded sent for packets whose hop limit expired at the director.</summary>
    public long TimeExceededSent { get; init; }

    /// <summary>Packet too big sent for packets larger than the capture NIC's MTU.</summary>
    public long PacketTooBigSent { get; init; }

    /// <summary>Errors not sent because of the rate limit (shared with ICMP).</summary>
    public long ErrorsSuppressed { get; init; }

    /// <summary>Errors about tracked connections forwarded to their real server.</summary>
    public long ErrorsForwarded { get; init; }
}

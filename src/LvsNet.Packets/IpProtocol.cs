namespace LvsNet.Packets;

/// <summary>IP protocol numbers (named to avoid the BCL's <c>ProtocolType</c>).</summary>
public enum IpProtocol : byte
{
    /// <summary>ICMP.</summary>
    Icmp = 1,

    /// <summary>IP in IP (IPIP tunnels).</summary>
    IpIp = 4,

    /// <summary>TCP.</summary>
    Tcp = 6,

    /// <summary>UDP.</summary>
    Udp = 17,

    /// <summary>IPv6 encapsulation (an IPv6 packet inside IPv4 or IPv6, RFC 2473 / RFC 4213).</summary>
    Ipv6InIp = 41,

    /// <summary>SCTP.</summary>
    Sctp = 132,
}

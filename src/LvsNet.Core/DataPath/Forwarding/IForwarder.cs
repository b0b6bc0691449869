using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// One forwarding method: sends a client's packet (already matched to a connection and a real
/// server) on to that server. <see cref="ForwarderSet"/> calls the sealed implementations
/// directly by method, so no packet pays for an interface call.
/// </summary>
internal interface IForwarder
{
    /// <summary>Rewrites <paramref name="frame"/> for <paramref name="server"/> and sends it.</summary>
    /// <param name="frame">The frame as captured (read-only).</param>
    /// <param name="l2Length">The Ethernet header's length.</param>
    /// <param name="ip">The frame's IPv4 header.</param>
    /// <param name="server">The connection's real server.</param>
    /// <param name="index">The connection's table index, or -1 for a one-packet-scheduled datagram.</param>
    void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index);
}

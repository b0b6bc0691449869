using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// DR: the real server is on the director's segment (the validator makes sure) and holds the VIP
/// on a non-ARPing interface; only the MAC addresses change, and replies bypass the director.
/// </summary>
internal sealed class DirectRoutingForwarder : IForwarder
{
    private readonly Egress _egress;

    public DirectRoutingForwarder(Egress egress) => _egress = egress;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        _egress.SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }
}

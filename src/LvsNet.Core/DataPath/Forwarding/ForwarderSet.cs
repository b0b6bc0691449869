using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// The four forwarders of one capture thread and the dispatch by a real server's method: a
/// switch over sealed types, so each call is direct (and may be inlined) instead of virtual.
/// </summary>
internal sealed class ForwarderSet
{
    public ForwarderSet(DirectRoutingForwarder directRouting, NatForwarder nat, TunnelForwarder tunnel, FullNatForwarder fullNat)
    {
        DirectRouting = directRouting;
        Nat = nat;
        Tunnel = tunnel;
        FullNat = fullNat;
    }

    /// <summary>DR: only the MAC addresses change.</summary>
    public DirectRoutingForwarder DirectRouting { get; }

    /// <summary>NAT: VIP:vport → RIP:rport, and back for replies.</summary>
    public NatForwarder Nat { get; }

    /// <summary>TUN: IPIP encapsulation.</summary>
    public TunnelForwarder Tunnel { get; }

    /// <summary>FULLNAT: both ends translated, and back for replies.</summary>
    public FullNatForwarder FullNat { get; }

    /// <summary>Sends a client's packet to <paramref name="server"/> by the server's method.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        switch (server.Method)
        {
            case ForwardingMethod.Tunnel:
                Tunnel.Forward(frame, l2Length, ip, server, index);
                break;
            case ForwardingMethod.FullNat:
                FullNat.Forward(frame, l2Length, ip, server, index);
                break;
            case ForwardingMethod.Nat:
                Nat.Forward(frame, l2Length, ip, server, index);
                break;
            default:
                DirectRouting.Forward(frame, l2Length, ip, server, index);
                break;
        }
    }
}

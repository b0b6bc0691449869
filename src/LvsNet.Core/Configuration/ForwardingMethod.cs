namespace LvsNet.Core.Configuration;

/// <summary>How packets reach a real server (ipvsadm's "Forward" column).</summary>
public enum ForwardingMethod : byte
{
    /// <summary>Direct routing (<c>-g</c>, "Route"): only the MAC addresses are rewritten.</summary>
    DirectRouting = 0,

    /// <summary>NAT (<c>-m</c>, "Masq"): destination address and port rewritten, replies un-NATed.</summary>
    Nat = 1,

    /// <summary>IPIP tunnel (<c>-i</c>, "Tunnel").</summary>
    Tunnel = 2,

    /// <summary>Full NAT ("FullNat"): both addresses rewritten.</summary>
    FullNat = 3,
}

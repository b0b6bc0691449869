namespace LvsNet.Core.Configuration;

/// <summary>Configuration and listing names of the forwarding methods.</summary>
public static class ForwardingMethods
{
    /// <summary>YAML name of direct routing.</summary>
    public const string DirectRouting = "dr";

    /// <summary>YAML name of NAT.</summary>
    public const string Nat = "nat";

    /// <summary>YAML name of IPIP tunnelling.</summary>
    public const string Tunnel = "tun";

    /// <summary>YAML name of full NAT.</summary>
    public const string FullNat = "fullnat";

    /// <summary>Every accepted name, for error messages.</summary>
    public static readonly string[] All = [DirectRouting, Nat, Tunnel, FullNat];

    /// <summary>Parses a YAML name (also accepts ipvsadm's words route/masq/tunnel/gatewaying/masquerading/ipip).</summary>
    public static bool TryParse(string? text, out ForwardingMethod method)
    {
        method = default;
        switch (text?.ToLowerInvariant())
        {
            case DirectRouting or "route" or "gatewaying" or "g":
                method = ForwardingMethod.DirectRouting;
                return true;
            case Nat or "masq" or "masquerading" or "m":
                method = ForwardingMethod.Nat;
                return true;
            case Tunnel or "tunnel" or "ipip" or "i":
                method = ForwardingMethod.Tunnel;
                return true;
            case FullNat or "full-nat" or "b":
                method = ForwardingMethod.FullNat;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The YAML name of a method.</summary>
    public static string ToConfigName(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Nat => Nat,
        ForwardingMethod.Tunnel => Tunnel,
        ForwardingMethod.FullNat => FullNat,
        _ => DirectRouting,
    };

    /// <summary>The word ipvsadm prints in its Forward column.</summary>
    public static string ToListingName(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Nat => "Masq",
        ForwardingMethod.Tunnel => "Tunnel",
        ForwardingMethod.FullNat => "FullNat",
        _ => "Route",
    };
}

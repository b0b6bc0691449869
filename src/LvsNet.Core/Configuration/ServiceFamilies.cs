namespace LvsNet.Core.Configuration;

/// <summary>
/// The values of a service's YAML <c>family</c> key: keepalived's <c>ip_family</c> words, with
/// <c>ipv4</c>/<c>ipv6</c> accepted as well. It matters for a firewall-mark service, which has no
/// address to tell its family (ipvsadm <c>-f N -6</c>).
/// </summary>
public static class ServiceFamilies
{
    /// <summary>IPv4 (keepalived <c>ip_family inet</c>); the default.</summary>
    public const string Inet = "inet";

    /// <summary>IPv6 (keepalived <c>ip_family inet6</c>, ipvsadm <c>-6</c>).</summary>
    public const string Inet6 = "inet6";

    /// <summary>Reads a family name: true for IPv6, false for IPv4, null when it is none of them.</summary>
    public static bool? TryParse(string text) => text.ToLowerInvariant() switch
    {
        Inet or "ipv4" => false,
        Inet6 or "ipv6" => true,
        _ => null,
    };
}

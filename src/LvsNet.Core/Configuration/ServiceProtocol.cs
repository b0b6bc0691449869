namespace LvsNet.Core.Configuration;

/// <summary>Configuration names of virtual service protocols.</summary>
public static class ServiceProtocols
{
    /// <summary>TCP.</summary>
    public const string Tcp = "tcp";

    /// <summary>UDP.</summary>
    public const string Udp = "udp";
}

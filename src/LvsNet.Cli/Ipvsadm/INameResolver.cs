namespace LvsNet.Cli.Ipvsadm;

/// <summary>Host and service names for ipvsadm-style input and output (what gethostbyname/getservbyname do for ipvsadm).</summary>
public interface INameResolver
{
    /// <summary>Resolves a host name to an IPv4 address.</summary>
    bool TryResolveHost(string name, out uint address);

    /// <summary>Resolves a service name (for example "http") for a protocol ("tcp" or "udp").</summary>
    bool TryResolvePort(string name, string protocol, out ushort port);

    /// <summary>The host name of an address, or the dotted address when it has none.</summary>
    string HostName(uint address);

    /// <summary>The service name of a port for a protocol, or the number when it has none.</summary>
    string PortName(ushort port, string protocol);
}

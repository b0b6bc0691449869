using System.Globalization;
using LvsNet.Packets;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>Resolves nothing: addresses and ports stay numeric (ipvsadm -n).</summary>
public sealed class NumericNameResolver : INameResolver
{
    /// <summary>The shared instance.</summary>
    public static NumericNameResolver Instance { get; } = new();

    /// <inheritdoc />
    public bool TryResolveHost(string name, out uint address)
    {
        address = 0;
        return false;
    }

    /// <inheritdoc />
    public bool TryResolvePort(string name, string protocol, out ushort port)
    {
        port = 0;
        return false;
    }

    /// <inheritdoc />
    public string HostName(uint address) => Ipv4Address.Format(address);

    /// <inheritdoc />
    public string PortName(ushort port, string protocol) => port.ToString(CultureInfo.InvariantCulture);
}

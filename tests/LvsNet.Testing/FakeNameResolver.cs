using System.Globalization;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Packets;

namespace LvsNet.Testing;

/// <summary>A fixed table of names, so tests never touch DNS or /etc/services.</summary>
public sealed class FakeNameResolver : INameResolver
{
    private static readonly Dictionary<string, uint> Hosts = new(StringComparer.Ordinal)
    {
        ["www.example.test"] = Ipv4Address.Parse("10.0.0.100"),
        ["backend.example.test"] = Ipv4Address.Parse("10.0.0.11"),
    };

    private static readonly Dictionary<string, ushort> Services = new(StringComparer.Ordinal) { ["http"] = 80, ["domain"] = 53 };

    /// <inheritdoc />
    public bool TryResolveHost(string name, out uint address) => Hosts.TryGetValue(name, out address);

    /// <inheritdoc />
    public bool TryResolvePort(string name, string protocol, out ushort port) => Services.TryGetValue(name, out port);

    /// <inheritdoc />
    public string HostName(uint address) => Hosts.FirstOrDefault(h => h.Value == address).Key ?? Ipv4Address.Format(address);

    /// <inheritdoc />
    public string PortName(ushort port, string protocol) => Services.FirstOrDefault(s => s.Value == port).Key ?? port.ToString(CultureInfo.InvariantCulture);
}

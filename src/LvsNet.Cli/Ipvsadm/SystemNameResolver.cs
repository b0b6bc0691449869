using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LvsNet.Packets;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// Names from the system: host names through the resolver (/etc/hosts, DNS) with a short timeout
/// per address, service names from /etc/services. Results are cached for the process's life.
/// </summary>
public sealed class SystemNameResolver : INameResolver
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(2);
    private readonly Dictionary<uint, string> _hosts = [];
    private readonly Lazy<(Dictionary<(string, string), ushort> ByName, Dictionary<(ushort, string), string> ByPort)> _services;

    /// <summary>Creates a resolver reading services from <paramref name="servicesPath"/>.</summary>
    public SystemNameResolver(string servicesPath = "/etc/services") =>
        _services = new(() => ReadServices(servicesPath));

    /// <inheritdoc />
    public bool TryResolveHost(string name, out uint address)
    {
        address = 0;
        try
        {
            var task = Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork);
            if (!task.Wait(LookupTimeout) || task.Result.Length == 0)
            {
                return false;
            }

            address = Ipv4Address.FromIPAddress(task.Result[0]);
            return true;
        }
        catch (AggregateException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public bool TryResolvePort(string name, string protocol, out ushort port) =>
        _services.Value.ByName.TryGetValue((name, protocol), out port);

    /// <inheritdoc />
    public string HostName(uint address)
    {
        if (_hosts.TryGetValue(address, out var name))
        {
            return name;
        }

        name = Ipv4Address.Format(address);
        try
        {
            var task = Dns.GetHostEntryAsync(Ipv4Address.ToIPAddress(address));
            if (task.Wait(LookupTimeout) && !string.IsNullOrEmpty(task.Result.HostName))
            {
                name = task.Result.HostName;
            }
        }
        catch (AggregateException)
        {
            // No name: ipvsadm prints the address.
        }

        _hosts[address] = name;
        return name;
    }

    /// <inheritdoc />
    public string PortName(ushort port, string protocol) =>
        _services.Value.ByPort.TryGetValue((port, protocol), out var name) ? name : port.ToString(CultureInfo.InvariantCulture);

    private static (Dictionary<(string, string), ushort>, Dictionary<(ushort, string), string>) ReadServices(string path)
    {
        var byName = new Dictionary<(string, string), ushort>();
        var byPort = new Dictionary<(ushort, string), string>();
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (byName, byPort);
        }

        foreach (var raw in lines)
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var fields = (hash >= 0 ? raw[..hash] : raw).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            var slash = fields[1].IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !ushort.TryParse(fields[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            var protocol = fields[1][(slash + 1)..];
            byPort.TryAdd((port, protocol), fields[0]);
            byName.TryAdd((fields[0], protocol), port);
            for (var i = 2; i < fields.Length; i++)
            {
                byName.TryAdd((fields[i], protocol), port);
            }
        }

        return (byName, byPort);
    }
}

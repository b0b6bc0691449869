using LvsNet.Packets;

namespace LvsNet.Daemon.Host;

/// <summary>Reads facts about a network interface from sysfs.</summary>
public static class NetworkInterfaceInfo
{
    /// <summary>The interface's MAC address.</summary>
    /// <exception cref="InvalidOperationException">The interface does not exist or has no Ethernet address.</exception>
    public static MacAddress ReadMac(string name)
    {
        var path = Path.Combine("/sys/class/net", name, "address");
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"interface '{name}' not found ({path}: {ex.Message})", ex);
        }

        return MacAddress.TryParse(text, out var mac)
            ? mac
            : throw new InvalidOperationException($"interface '{name}' has no Ethernet address ('{text}')");
    }

    /// <summary>The interface's MTU.</summary>
    public static int ReadMtu(string name) =>
        int.TryParse(File.ReadAllText(Path.Combine("/sys/class/net", name, "mtu")).Trim(), out var mtu) ? mtu : 1500;
}

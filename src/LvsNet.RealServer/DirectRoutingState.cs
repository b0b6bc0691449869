using System.Globalization;
using System.Net.Sockets;
using LvsNet.Packets;

namespace LvsNet.RealServer;

/// <summary>
/// What <c>dr up</c> changed on this host, so that <c>dr down</c> can put it back: the sysctls'
/// values before the first <c>dr up</c> and the VIPs it added to lo. One file per network
/// namespace, under /run/lvsnet-rs or $LVSNET_RS_STATE_DIR. The file is named by the namespace's
/// cookie (SO_NETNS_COOKIE), which the kernel never reuses while it runs: an inode number is reused
/// as soon as a namespace is deleted, and a new namespace would then inherit a dead one's state.
/// </summary>
internal sealed class DirectRoutingState
{
    private readonly string _path;

    private DirectRoutingState(string path) => _path = path;

    /// <summary>Each sysctl's value before lvsnet-rs first changed it.</summary>
    public Dictionary<string, string> OriginalSysctls { get; } = new(StringComparer.Ordinal);

    /// <summary>The VIPs lvsnet-rs added to lo (not those that were there already).</summary>
    public HashSet<uint> AddedVips { get; } = [];

    /// <summary>Loads this namespace's state (empty when there is none).</summary>
    public static DirectRoutingState Load()
    {
        var directory = Environment.GetEnvironmentVariable("LVSNET_RS_STATE_DIR") is { Length: > 0 } configured ? configured : "/run/lvsnet-rs";
        var state = new DirectRoutingState(Path.Combine(directory, $"dr-{NamespaceId()}.state"));
        if (!File.Exists(state._path))
        {
            return state;
        }

        foreach (var line in File.ReadAllLines(state._path))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["sysctl", var name, var value])
            {
                state.OriginalSysctls[name] = value;
            }
            else if (words is ["vip", var vip] && Ipv4Address.TryParse(vip, out var address))
            {
                state.AddedVips.Add(address);
            }
        }

        return state;
    }

    /// <summary>Writes the state, or deletes the file when nothing is left to restore.</summary>
    public void Save()
    {
        if (OriginalSysctls.Count == 0 && AddedVips.Count == 0)
        {
            File.Delete(_path);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var lines = OriginalSysctls.Select(p => $"sysctl {p.Key} {p.Value}").Concat(AddedVips.Select(v => $"vip {Ipv4Address.Format(v)}"));
        File.WriteAllLines(_path, lines);
    }

    /// <summary>The current value of a sysctl, or null when it cannot be read.</summary>
    public static string? ReadSysctl(string name)
    {
        try
        {
            return File.ReadAllText("/proc/sys/" + name.Replace('.', '/')).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records a sysctl's current value unless an earlier change already recorded it.</summary>
    public void RecordOriginal(string name)
    {
        if (!OriginalSysctls.ContainsKey(name) && ReadSysctl(name) is { } original)
        {
            OriginalSysctls[name] = original;
        }
    }

    // SO_NETNS_COOKIE (Linux 5.14+): a 64-bit id unique to this network namespace for the life of
    // the kernel. Older kernels: the namespace's inode ("net:[4026532001]"), which can be reused.
    private static string NamespaceId()
    {
        const int SolSocket = 1, SoNetnsCookie = 71;
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Span<byte> cookie = stackalloc byte[8];
            if (socket.GetRawSocketOption(SolSocket, SoNetnsCookie, cookie) == 8)
            {
                return "c" + BitConverter.ToUInt64(cookie).ToString(CultureInfo.InvariantCulture);
            }
        }
        catch (SocketException)
        {
        }

        var target = new FileInfo("/proc/self/ns/net").LinkTarget ?? "net";
        var digits = new string([.. target.Where(char.IsAsciiDigit)]);
        return digits.Length > 0 ? digits : "0";
    }

    /// <summary>True when lo holds <paramref name="vip"/>/32.</summary>
    public static bool OnLoopback(uint vip)
    {
        var (code, output) = HostCommands.Run("ip", "-4", "-o", "addr", "show", "dev", "lo");
        return code == 0 && output.Contains(string.Create(CultureInfo.InvariantCulture, $" inet {Ipv4Address.Format(vip)}/32 "), StringComparison.Ordinal);
    }
}

using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Core.Diagnostics;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Host;

/// <summary>
/// Prepares the director box at start and restores it at stop: the kernel must not hold a VIP
/// (it would answer SYNs with RST), must not forward (it would route NAT replies un-NATed), and
/// the capture NIC's offloads must be off (so captured frames are real, checksummed wire frames
/// of at most the MTU). Every change is logged and recorded so that stop undoes exactly it; a VIP's
/// address goes back as soon as the VIP leaves the configuration. Loopback, unspecified, multicast
/// and broadcast addresses are never touched.
/// </summary>
public sealed partial class DirectorHost
{
    private const string IpForwardPath = "/proc/sys/net/ipv4/ip_forward";

    // ethtool -k names and the -K keywords that turn them off.
    private static readonly (string Feature, string Keyword)[] Offloads =
    [
        ("rx-checksumming", "rx"),
        ("tx-checksumming", "tx"),
        ("scatter-gather", "sg"),
        ("tcp-segmentation-offload", "tso"),
        ("generic-segmentation-offload", "gso"),
        ("generic-receive-offload", "gro"),
        ("large-receive-offload", "lro"),
    ];

    private readonly ILogger _logger;
    private readonly IHostCommandRunner _commands;
    private readonly string _ipForwardPath;
    private readonly Lock _gate = new();

    // Exactly what was taken from the kernel, per VIP, so that it goes back when the VIP leaves the
    // configuration (a deleted service, a reload) and at stop.
    private readonly Dictionary<uint, List<KernelAddress>> _removedAddresses = [];
    private readonly List<string> _offloadsTurnedOff = [];
    private string? _interface;
    private bool _ipForwardWasOn;

    /// <summary>Creates the preparer.</summary>
    public DirectorHost(ILogger<DirectorHost> logger)
        : this(logger, ProcessCommandRunner.Instance, IpForwardPath)
    {
    }

    internal DirectorHost(ILogger logger, IHostCommandRunner commands, string ipForwardPath)
    {
        _logger = logger;
        _commands = commands;
        _ipForwardPath = ipForwardPath;
    }

    /// <summary>The kernel addresses taken away and not yet given back, per VIP.</summary>
    internal IReadOnlyDictionary<uint, List<KernelAddress>> RemovedAddresses => _removedAddresses;

    /// <summary>Makes the changes; failures are logged and the daemon goes on (an operator may have done it by hand).</summary>
    public void Prepare(string networkInterface, IEnumerable<uint> virtualAddresses)
    {
        _interface = networkInterface;
        FollowVirtualAddresses(virtualAddresses);
        DisableIpForward();
        DisableOffloads(networkInterface);
    }

    /// <summary>
    /// Makes the kernel's addresses follow the VIP set: a VIP the kernel holds is taken away (it
    /// would answer its SYNs with RST) and recorded; what was taken for a VIP that is no longer in
    /// the set goes back exactly as it was. Addresses that are never a VIP (loopback, unspecified,
    /// multicast, broadcast) are never touched, whatever the set holds.
    /// </summary>
    public void FollowVirtualAddresses(IEnumerable<uint> virtualAddresses)
    {
        ArgumentNullException.ThrowIfNull(virtualAddresses);
        lock (_gate)
        {
            var vips = new HashSet<uint>();
            foreach (var vip in virtualAddresses)
            {
                if (AddressRules.Problem(vip, "a VIP") is { } problem)
                {
                    Log.Refused(_logger, Ipv4Address.Format(vip), problem);
                    continue;
                }

                vips.Add(vip);
            }

            foreach (var gone in _removedAddresses.Keys.Where(v => !vips.Contains(v)).ToList())
            {
                PutBack(gone);
            }

            RemoveFromKernel(vips);
        }
    }

    /// <summary>Undoes every change made by <see cref="Prepare"/> and <see cref="FollowVirtualAddresses"/>.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            foreach (var feature in _offloadsTurnedOff)
            {
                var (code, output) = _commands.Run("ethtool", "-K", _interface!, feature, "on");
                if (code == 0)
                {
                    Log.Restored(_logger, $"{feature} offload on {_interface} back on");
                }
                else
                {
                    Log.Failed(_logger, $"turn {feature} back on", output.Trim());
                }
            }

            _offloadsTurnedOff.Clear();
            if (_ipForwardWasOn)
            {
                try
                {
                    File.WriteAllText(_ipForwardPath, "1\n");
                    Log.Restored(_logger, "ip_forward back to 1");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.Failed(_logger, "restore ip_forward", ex.Message);
                }

                _ipForwardWasOn = false;
            }

            foreach (var vip in _removedAddresses.Keys.ToList())
            {
                PutBack(vip);
            }
        }
    }

    private void RemoveFromKernel(HashSet<uint> vips)
    {
        if (vips.Count == 0)
        {
            return;
        }

        var (code, output) = _commands.Run("ip", "-o", "-4", "addr", "show");
        if (code != 0)
        {
            Log.Failed(_logger, "list addresses", output.Trim());
            return;
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (KernelAddress.TryParse(line) is not { } address || !Ipv4Address.TryParse(address.Address, out var vip) || !vips.Contains(vip))
            {
                continue;
            }

            var (delCode, delOutput) = _commands.Run("ip", "addr", "del", address.Cidr, "dev", address.Device);
            if (delCode == 0)
            {
                if (!_removedAddresses.TryGetValue(vip, out var removed))
                {
                    _removedAddresses[vip] = removed = [];
                }

                removed.Add(address);
                Log.Prepared(_logger, $"removed VIP {address.Cidr} from {address.Device} (the daemon answers for it; it goes back when the VIP leaves the configuration or the daemon stops)");
            }
            else
            {
                Log.Failed(_logger, $"remove VIP {address.Cidr} from {address.Device}", delOutput.Trim());
            }
        }
    }

    private void PutBack(uint vip)
    {
        foreach (var address in _removedAddresses[vip])
        {
            var (code, output) = _commands.Run("ip", address.AddArguments());
            if (code == 0)
            {
                Log.Restored(_logger, $"VIP {address.Cidr} back on {address.Device}");
            }
            else
            {
                Log.Failed(_logger, $"add {address.Cidr} back to {address.Device}", output.Trim());
            }
        }

        _removedAddresses.Remove(vip);
    }

    private void DisableIpForward()
    {
        try
        {
            var value = File.ReadAllText(_ipForwardPath).Trim();
            if (value != "0")
            {
                File.WriteAllText(_ipForwardPath, "0\n");
                _ipForwardWasOn = true;
                Log.Prepared(_logger, "net.ipv4.ip_forward set to 0 (the daemon forwards; the kernel must not)");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.Failed(_logger, "set ip_forward to 0", ex.Message);
        }
    }

    private void DisableOffloads(string networkInterface)
    {
        var (code, output) = _commands.Run("ethtool", "-k", networkInterface);
        if (code != 0)
        {
            Log.Failed(_logger, $"read offloads of {networkInterface}", output.Trim());
            return;
        }

        foreach (var (feature, keyword) in Offloads)
        {
            var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(feature + ":", StringComparison.Ordinal));
            if (line is null || !line.Contains(": on", StringComparison.Ordinal) || line.Contains("[fixed]", StringComparison.Ordinal))
            {
                continue;
            }

            var (setCode, setOutput) = _commands.Run("ethtool", "-K", networkInterface, keyword, "off");
            if (setCode == 0)
            {
                _offloadsTurnedOff.Add(keyword);
                Log.Prepared(_logger, string.Create(CultureInfo.InvariantCulture, $"{feature} turned off on {networkInterface}"));
            }
            else
            {
                Log.Failed(_logger, $"turn {feature} off on {networkInterface}", setOutput.Trim());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HostPrepared, EventName = nameof(EventIds.HostPrepared), Level = LogLevel.Information, Message = "Host prepared: {Change}")]
        public static partial void Prepared(ILogger logger, string change);

        [LoggerMessage(EventId = EventIds.HostRestored, EventName = nameof(EventIds.HostRestored), Level = LogLevel.Information, Message = "Host restored: {Change}")]
        public static partial void Restored(ILogger logger, string change);

        [LoggerMessage(EventId = EventIds.HostAddressRefused, EventName = nameof(EventIds.HostAddressRefused), Level = LogLevel.Warning, Message = "Not touching the kernel's address {Address}: {Reason}")]
        public static partial void Refused(ILogger logger, string address, string reason);

        [LoggerMessage(EventId = EventIds.HostPreparationFailed, EventName = nameof(EventIds.HostPreparationFailed), Level = LogLevel.Warning, Message = "Could not {Action}: {Detail}")]
        public static partial void Failed(ILogger logger, string action, string detail);
    }
}

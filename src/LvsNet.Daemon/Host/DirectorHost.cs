using System.Globalization;
using LvsNet.Core.Diagnostics;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Host;

/// <summary>
/// Prepares the director box at start and restores it at stop: the kernel must not hold a VIP
/// (it would answer SYNs with RST), must not forward (it would route NAT replies un-NATed), and
/// the capture NIC's offloads must be off (so captured frames are real, checksummed wire frames
/// of at most the MTU). Every change is logged and recorded so that stop undoes exactly it.
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
    private readonly List<(string Address, string Device)> _removedAddresses = [];
    private readonly List<string> _offloadsTurnedOff = [];
    private string? _interface;
    private bool _ipForwardWasOn;

    /// <summary>Creates the preparer.</summary>
    public DirectorHost(ILogger<DirectorHost> logger) => _logger = logger;

    /// <summary>Makes the changes; failures are logged and the daemon goes on (an operator may have done it by hand).</summary>
    public void Prepare(string networkInterface, IEnumerable<uint> virtualAddresses)
    {
        _interface = networkInterface;
        RemoveVirtualAddresses(virtualAddresses);
        DisableIpForward();
        DisableOffloads(networkInterface);
    }

    /// <summary>Removes a VIP that appeared in the kernel after start (for example after a reload added it).</summary>
    public void RemoveVirtualAddresses(IEnumerable<uint> virtualAddresses)
    {
        var vips = virtualAddresses.Select(Ipv4Address.Format).ToHashSet(StringComparer.Ordinal);
        var (code, output) = ProcessRunner.Run("ip", "-o", "-4", "addr", "show");
        if (code != 0)
        {
            Log.Failed(_logger, "list addresses", output.Trim());
            return;
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "2: eth0    inet 10.0.0.100/32 scope global eth0 ..."
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(fields, "inet");
            if (inet < 0 || inet + 1 >= fields.Length || fields.Length < 2)
            {
                continue;
            }

            var cidr = fields[inet + 1];
            var device = fields[1].TrimEnd(':');
            if (vips.Contains(cidr.Split('/')[0]))
            {
                var (delCode, delOutput) = ProcessRunner.Run("ip", "addr", "del", cidr, "dev", device);
                if (delCode == 0)
                {
                    _removedAddresses.Add((cidr, device));
                    Log.Prepared(_logger, $"removed VIP {cidr} from {device} (the daemon answers for it)");
                }
                else
                {
                    Log.Failed(_logger, $"remove VIP {cidr} from {device}", delOutput.Trim());
                }
            }
        }
    }

    /// <summary>Undoes every change made by <see cref="Prepare"/>.</summary>
    public void Restore()
    {
        foreach (var feature in _offloadsTurnedOff)
        {
            var (code, output) = ProcessRunner.Run("ethtool", "-K", _interface!, feature, "on");
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
                File.WriteAllText(IpForwardPath, "1\n");
                Log.Restored(_logger, "ip_forward back to 1");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.Failed(_logger, "restore ip_forward", ex.Message);
            }

            _ipForwardWasOn = false;
        }

        foreach (var (address, device) in _removedAddresses)
        {
            var (code, output) = ProcessRunner.Run("ip", "addr", "add", address, "dev", device);
            if (code == 0)
            {
                Log.Restored(_logger, $"VIP {address} back on {device}");
            }
            else
            {
                Log.Failed(_logger, $"add {address} back to {device}", output.Trim());
            }
        }

        _removedAddresses.Clear();
    }

    private void DisableIpForward()
    {
        try
        {
            var value = File.ReadAllText(IpForwardPath).Trim();
            if (value != "0")
            {
                File.WriteAllText(IpForwardPath, "0\n");
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
        var (code, output) = ProcessRunner.Run("ethtool", "-k", networkInterface);
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

            var (setCode, setOutput) = ProcessRunner.Run("ethtool", "-K", networkInterface, keyword, "off");
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

        [LoggerMessage(EventId = EventIds.HostPreparationFailed, EventName = nameof(EventIds.HostPreparationFailed), Level = LogLevel.Warning, Message = "Could not {Action}: {Detail}")]
        public static partial void Failed(ILogger logger, string action, string detail);
    }
}

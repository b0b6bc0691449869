using System.Globalization;
using System.Text;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>The sync daemon listing of <c>ipvsadm -L --daemon</c>.</summary>
public static partial class IpvsadmFormatter
{
    /// <summary>
    /// <c>ipvsadm -L --daemon</c>: one line per running daemon, master first, as ipvsadm 1.31 prints
    /// what a kernel ≥ 4.3 reports (interface, sync id, then maxlen, group, port and TTL):
    /// <c>master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)</c>.
    /// Nothing at all when none runs.
    /// </summary>
    public static string Daemons(IEnumerable<SyncDaemonInfo> daemons)
    {
        ArgumentNullException.ThrowIfNull(daemons);
        var text = new StringBuilder();
        foreach (var daemon in daemons.OrderBy(d => d.State == "master" ? 0 : 1))
        {
            text.Append(CultureInfo.InvariantCulture, $"{daemon.State} sync daemon (mcast={daemon.Interface}, syncid={daemon.SyncId}");
            if (daemon.MaxLength is { } maxLength)
            {
                text.Append(CultureInfo.InvariantCulture, $", maxlen={maxLength}");
            }

            if (daemon.Group is { } group)
            {
                text.Append(CultureInfo.InvariantCulture, $", group={group}");
            }

            if (daemon.Port is { } port)
            {
                text.Append(CultureInfo.InvariantCulture, $", port={port}");
            }

            if (daemon.Ttl is { } ttl)
            {
                text.Append(CultureInfo.InvariantCulture, $", ttl={ttl}");
            }

            text.Append(")\n");
        }

        return text.ToString();
    }
}

using System.Globalization;
using System.Text;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>The connection listing of <c>ipvsadm -L -c</c>.</summary>
public static partial class IpvsadmFormatter
{
    /// <summary>
    /// <c>ipvsadm -L -c</c> (with <see cref="ListFormat.Numeric"/> for <c>-n</c>): the title, the
    /// column header, and one row per entry with the remaining time as mm:ss (minutes not wrapped).
    /// With <see cref="ListFormat.PersistentConnections"/> the header has ipvsadm's two persistence
    /// engine columns; as in ipvsadm, entries without persistence-engine data print without them.
    /// </summary>
    public static string Connections(IEnumerable<ConnectionRow> rows, ListFormat format, INameResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(resolver);
        var text = new StringBuilder("IPVS connection entries\n");
        text.Append("pro expire ").Append("state".PadRight(11)).Append(' ').Append("source".PadRight(18)).Append(' ').Append("virtual".PadRight(18)).Append(' ');
        if ((format & ListFormat.PersistentConnections) != 0)
        {
            text.Append("destination".PadRight(18)).Append(' ').Append("pe name".PadRight(16)).Append(" pe_data\n");
        }
        else
        {
            text.Append("destination\n");
        }

        foreach (var row in rows)
        {
            var protocol = row.Protocol.ToLowerInvariant();
            var expires = Math.Max(0, row.ExpiresSeconds);
            var expire = string.Create(CultureInfo.InvariantCulture, $"{expires / 60:00}:{expires % 60:00}");
            text.Append(row.Protocol.PadRight(3)).Append(' ')
                .Append(expire.PadRight(6)).Append(' ')
                .Append(row.State.PadRight(11)).Append(' ')
                .Append(Endpoint(row.ClientAddress, row.ClientPort, protocol, format, resolver).PadRight(18)).Append(' ')
                .Append(Endpoint(row.VirtualAddress, row.VirtualPort, protocol, format, resolver).PadRight(18)).Append(' ')
                .Append(Endpoint(row.DestinationAddress, row.DestinationPort, protocol, format, resolver)).Append('\n');
        }

        return text.ToString();
    }

    // ipvsadm's addrport_to_anyname: "10.0.0.1:80", an IPv6 address in brackets ("[2001:db8::1]:80").
    private static string Endpoint(string address, ushort port, string protocol, ListFormat format, INameResolver resolver) =>
        AddressPort(address, port, protocol, format, resolver);
}

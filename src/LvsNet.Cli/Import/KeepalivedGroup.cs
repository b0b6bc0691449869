using System.Globalization;
using LvsNet.Packets;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// A keepalived <c>virtual_server_group</c>: the address:port endpoints one <c>virtual_server group NAME</c>
/// block applies to. Entries are <c>IP [PORT]</c>, <c>A.B.C.D-E [PORT]</c> (last octet range),
/// <c>A.B.C.D-E.F.G.H [PORT]</c> and <c>A.B.C.D/NN [PORT]</c>, all inclusive, and <c>fwmark N</c>
/// (a firewall-mark service: address and port 0); IPv6 entries are errors (the import expands IPv4 groups only).
/// </summary>
internal sealed record KeepalivedGroup(string Name, int Line, IReadOnlyList<(uint Address, ushort Port, uint Mark, int Line)> Endpoints)
{
    /// <summary>The most addresses one entry may expand to (a larger range is almost certainly a typo).</summary>
    public const int MaxAddressesPerEntry = 256;

    /// <summary>Reads a group block; errors for the entries it cannot expand.</summary>
    public static KeepalivedGroup Read(KeepalivedNode node, ImportNotes notes)
    {
        var name = node.Value ?? "";
        var title = $"virtual_server_group {name}";
        var endpoints = new List<(uint, ushort, uint, int)>();
        foreach (var entry in node.Children ?? [])
        {
            if (entry.Keyword == "fwmark")
            {
                if (KeepalivedVirtualServer.TryMark(entry.Value, out var mark) && entry.Args.Count == 1)
                {
                    endpoints.Add((0, 0, mark, entry.Line));
                }
                else
                {
                    notes.Error(entry.Line, $"{title}: {entry.Text}: expected fwmark N with N from 1 to 4294967295");
                }

                continue;
            }

            if (IsIpv6(entry.Keyword))
            {
                notes.Error(entry.Line, $"{title}: {entry.Text}: IPv6 group entries are not imported yet (write a virtual_server per IPv6 address)");
                continue;
            }

            if (!TryPort(entry.Value, out var port) || entry.Args.Count > 1)
            {
                notes.Error(entry.Line, $"{title}: {entry.Text}: expected ADDRESS[-END|/PREFIX] [PORT]");
                continue;
            }

            if (!TryRange(entry.Keyword, out var first, out var last, out var problem))
            {
                notes.Error(entry.Line, $"{title}: {entry.Text}: {problem}");
                continue;
            }

            if (last - first >= MaxAddressesPerEntry)
            {
                notes.Error(entry.Line, $"{title}: {entry.Text}: {last - first + 1} addresses; the import expands at most {MaxAddressesPerEntry} per entry into services");
                continue;
            }

            for (var address = first; address <= last; address++)
            {
                endpoints.Add(((uint)address, port ?? 0, 0u, entry.Line));
            }
        }

        if (endpoints.Count == 0 && (node.Children ?? []).Count == 0)
        {
            notes.Adjusted(node.Line, $"{title}: has no entries (keepalived removes it)");
        }

        return new KeepalivedGroup(name, node.Line, endpoints);
    }

    // The inclusive address range of one entry, as keepalived's alloc_vsg_entry reads it.
    private static bool TryRange(string text, out long first, out long last, out string problem)
    {
        first = last = 0;
        problem = "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var start = slash >= 0 ? text[..slash] : dash >= 0 ? text[..dash] : text;
        if (!Ipv4Address.TryParse(start, out var begin))
        {
            problem = "not an IPv4 address";
            return false;
        }

        first = last = begin;
        if (slash >= 0)
        {
            if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 1 or > 32)
            {
                problem = "invalid prefix length";
                return false;
            }

            var hostBits = prefix == 32 ? 0u : uint.MaxValue >> prefix;
            if ((begin & hostBits) != 0)
            {
                problem = "address has bits set beyond the prefix (keepalived skips such an entry)";
                return false;
            }

            last = begin | hostBits;
            return true;
        }

        if (dash < 0)
        {
            return true;
        }

        var end = text[(dash + 1)..];
        if (end.Contains('.', StringComparison.Ordinal))
        {
            if (!Ipv4Address.TryParse(end, out var stop) || stop < begin)
            {
                problem = "range end is not an address at or after the start";
                return false;
            }

            last = stop;
            return true;
        }

        if (!byte.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet <= (begin & 0xFF))
        {
            problem = "range end must be a last octet greater than the start's";
            return false;
        }

        last = (begin & 0xFFFFFF00u) | octet;
        return true;
    }
}

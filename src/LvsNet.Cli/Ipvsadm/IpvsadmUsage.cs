using System.Text;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>The "Commands:" and "Options:" parts of the usage text, written from <see cref="IpvsadmOptionTable"/> in ipvsadm's column layout.</summary>
internal static class IpvsadmUsage
{
    /// <summary>One line per command flag with help ("  --add-service     -A        add virtual service with options"); short names of one long name are joined ("-L|-l").</summary>
    public static string Commands()
    {
        var text = new StringBuilder();
        foreach (var group in IpvsadmOptionTable.Rows.Where(r => r.Command is not null || r.Rule is null).GroupBy(r => r.Long))
        {
            var row = group.First();
            if (row.Help is null)
            {
                continue;
            }

            var shorts = string.Join('|', group.Where(r => r.Short != '\0').Select(r => "-" + r.Short));
            var left = row.ValueName is null ? $"--{row.Long}".PadRight(18) + shorts.PadRight(10) : $"--{row.Long} {row.ValueName}".PadRight(28);
            if (row.Command is null && row.Short == '\0')
            {
                // Long-only options without a rule (--sort) belong to the options list.
                continue;
            }

            text.Append("  ").Append(left).Append(row.Help).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One line per option with help ("  --weight       -w weight            capacity of real server").</summary>
    public static string Options()
    {
        var text = new StringBuilder();
        foreach (var row in IpvsadmOptionTable.Rows)
        {
            if (row.Help is null || (row.Command is not null) || (row.Rule is null && row.Short != '\0'))
            {
                continue;
            }

            var value = row.ValueName is null ? "" : " " + row.ValueName;
            var left = row.Short == '\0'
                ? $"--{row.Long}{value}".PadRight(36)
                : $"--{row.Long}".PadRight(14) + " " + $"-{row.Short}{value}".PadRight(21);
            text.Append("  ").Append(left.Length > 36 ? left + " " : left).Append(row.Help).Append('\n');
        }

        return text.ToString();
    }
}

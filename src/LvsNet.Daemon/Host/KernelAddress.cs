namespace LvsNet.Daemon.Host;

/// <summary>
/// One IPv4 address as <c>ip -o -4 addr show</c> lists it, with what <c>ip addr add</c> needs to put
/// it back as it was: prefix, device, broadcast, scope, label and the noprefixroute flag.
/// </summary>
internal sealed record KernelAddress(string Cidr, string Device, string? Broadcast, string? Scope, string? Label, bool NoPrefixRoute)
{
    /// <summary>The address without its prefix length.</summary>
    public string Address => Cidr.Split('/')[0];

    /// <summary>Reads one line ("2: eth0    inet 10.0.0.100/24 brd 10.0.0.255 scope global secondary eth0:1\ valid_lft ..."), or null.</summary>
    public static KernelAddress? TryParse(string line)
    {
        var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var inet = Array.IndexOf(fields, "inet");
        if (inet < 2 || inet + 1 >= fields.Length)
        {
            return null;
        }

        var device = fields[1].TrimEnd(':');
        string? broadcast = null;
        string? scope = null;
        string? label = null;
        var noPrefixRoute = false;
        for (var i = inet + 2; i < fields.Length && fields[i] != "\\"; i++)
        {
            switch (fields[i])
            {
                case "brd" when i + 1 < fields.Length:
                    broadcast = fields[++i];
                    break;
                case "scope" when i + 1 < fields.Length:
                    scope = fields[++i];
                    break;
                case "peer" when i + 1 < fields.Length:
                    // A point-to-point address is never a VIP the daemon removes; keep the peer out of the record.
                    i++;
                    break;
                case "noprefixroute":
                    noPrefixRoute = true;
                    break;
                case "secondary" or "dynamic" or "deprecated" or "tentative" or "temporary" or "permanent" or "home" or "nodad" or "mngtmpaddr" or "autojoin":
                    break;
                default:
                    if (fields[i].StartsWith("valid_lft", StringComparison.Ordinal))
                    {
                        i = fields.Length;
                    }
                    else
                    {
                        label = fields[i].TrimEnd('\\');
                    }

                    break;
            }
        }

        return new KernelAddress(fields[inet + 1], device, broadcast, scope, label == device ? null : label, noPrefixRoute);
    }

    /// <summary>The arguments of <c>ip</c> that add the address back as it was.</summary>
    public string[] AddArguments()
    {
        var args = new List<string> { "addr", "add", Cidr };
        if (Broadcast is not null)
        {
            args.AddRange(["brd", Broadcast]);
        }

        if (Scope is not null)
        {
            args.AddRange(["scope", Scope]);
        }

        if (NoPrefixRoute)
        {
            args.Add("noprefixroute");
        }

        if (Label is not null)
        {
            args.AddRange(["label", Label]);
        }

        args.AddRange(["dev", Device]);
        return [.. args];
    }
}

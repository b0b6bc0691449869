using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Import;

/// <summary>
/// Converts an existing LVS setup into an LvsNet configuration: an <c>ipvsadm-save</c> /
/// <c>ipvsadm -S</c> file, or the LVS part of a keepalived.conf (virtual servers and groups, real
/// servers, checkers, quorum, sorry servers, with keepalived's defaults and inheritance; see
/// <see cref="KeepalivedImporter"/>). Whatever LvsNet cannot express is an error in
/// <see cref="ImportResult.Notes"/> with its line, and <see cref="ImportResult.Complete"/> is false.
/// </summary>
public static class ConfigImporter
{
    /// <summary>Imports <paramref name="text"/>, detecting its format.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="director">The director section of the result (neither format has one).</param>
    /// <param name="resolver">Resolves host and service names of a non-numeric ipvsadm-save file.</param>
    /// <param name="marks">
    /// Optional <c>iptables-save</c> output whose mangle MARK rules become the <c>firewall_marks</c>
    /// of the imported fwmark services (see <see cref="IptablesMarkReader"/>); without it every
    /// fwmark service is an error asking for its rule.
    /// </param>
    public static ImportResult Import(string text, DirectorConfig director, INameResolver? resolver = null, string? marks = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(director);
        var empty = new LvsConfig { Director = director };
        var notes = new ImportNotes();
        LvsConfig config;
        string format;
        if (LooksLikeKeepalived(text))
        {
            format = "keepalived";
            config = KeepalivedImporter.Import(text, empty, notes);
        }
        else
        {
            format = "ipvsadm";
            config = ImportIpvsadm(text, empty, notes, resolver ?? NumericNameResolver.Instance);
        }

        config = FirewallMarkRules.Apply(config, marks, notes);
        return new ImportResult { Format = format, Config = config, Notes = notes.All, ValidationErrors = ConfigValidator.Validate(config) };
    }

    private static bool LooksLikeKeepalived(string text)
    {
        foreach (var node in KeepalivedReader.Read(text))
        {
            if (node.Children is not null || node.Keyword is "virtual_server" or "global_defs" or "vrrp_instance")
            {
                return true;
            }
        }

        return false;
    }

    private static LvsConfig ImportIpvsadm(string text, LvsConfig config, ImportNotes notes, INameResolver resolver)
    {
        var parser = new IpvsadmParser(resolver);
        foreach (var (line, args) in RestoreReader.Read(new StringReader(text)))
        {
            IpvsadmInvocation invocation;
            try
            {
                invocation = parser.Parse(args);
            }
            catch (IpvsadmUsageException ex)
            {
                notes.Error(line, $"{string.Join(' ', args)}: {ex.Message}");
                continue;
            }

            if (invocation.Operation is not { } operation)
            {
                notes.Error(line, $"{string.Join(' ', args)}: not a rule (only -A, -E, -D, -C, -a, -e, -d and --set are imported)");
                continue;
            }

            try
            {
                config = ConfigEditor.Apply(config, operation with { Line = line });
                if (operation is { Kind: EditKind.AddService, Service.FirewallMark: not 0 and var mark })
                {
                    notes.FirewallMarkLines.TryAdd(mark, line);
                }
            }
            catch (ConfigEditException ex)
            {
                notes.Error(line, $"{string.Join(' ', args)}: {ex.Message}");
            }
        }

        return config;
    }
}

using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Import;

/// <summary>The outcome of <see cref="ConfigImporter.Import"/>.</summary>
public sealed record ImportResult
{
    /// <summary>"ipvsadm" or "keepalived".</summary>
    public required string Format { get; init; }

    /// <summary>The imported configuration.</summary>
    public required LvsConfig Config { get; init; }

    /// <summary>Everything adjusted, left to keepalived or not mapped, in source order.</summary>
    public IReadOnlyList<ImportNote> Notes { get; init; } = [];

    /// <summary>What lvsnetd's validator would refuse in <see cref="Config"/> (for example methods this build does not forward yet).</summary>
    public IReadOnlyList<ConfigError> ValidationErrors { get; init; } = [];

    /// <summary>The notes that are errors: LVS configuration the result does not carry.</summary>
    public IEnumerable<ImportNote> Errors => Notes.Where(n => n.Kind == ImportNoteKind.Error);

    /// <summary>True when everything was mapped and lvsnetd would accept the result.</summary>
    public bool Complete => !Errors.Any() && ValidationErrors.Count == 0;

    /// <summary>
    /// The configuration as YAML, with the notes as comments at the top. When something was not
    /// mapped, the YAML also carries <see cref="LvsConfigReader.ImportIncompleteKey"/>, which lvsnetd
    /// refuses, so an incomplete import is not run by mistake.
    /// </summary>
    public string ToYaml(string source)
    {
        var header = new List<string> { $"Imported by lvsnetadm import from {source} ({Format} format)." };
        var errors = Errors.Count();
        if (errors > 0)
        {
            header.Add($"INCOMPLETE: {errors} item(s) could not be mapped (the lines with 'error:'); this file does not behave like the source.");
        }

        if (Notes.Count > 0)
        {
            header.Add("Review these before use:");
            header.AddRange(Notes.Select(n => "  " + n));
        }

        if (ValidationErrors.Count > 0)
        {
            header.Add("lvsnetd would refuse this file as it stands:");
            header.AddRange(ValidationErrors.Select(e => "  " + e));
        }

        var yaml = ConfigYamlWriter.Write(Config, header);
        if (errors == 0)
        {
            return yaml;
        }

        // The marker makes lvsnetd (and --check) refuse the file until the errors have been reviewed.
        var body = yaml.IndexOf("\ndirector:", StringComparison.Ordinal) + 1;
        return yaml[..body] + $"{LvsConfigReader.ImportIncompleteKey}: \"{errors} item(s) not mapped: review the error lines above, then delete this key\"\n" + yaml[body..];
    }
}

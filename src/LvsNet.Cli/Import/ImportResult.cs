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

    /// <summary>Everything adjusted or left out, in source order.</summary>
    public IReadOnlyList<ImportNote> Notes { get; init; } = [];

    /// <summary>What lvsnetd's validator would refuse in <see cref="Config"/> (for example methods this build does not forward yet).</summary>
    public IReadOnlyList<ConfigError> ValidationErrors { get; init; } = [];

    /// <summary>The configuration as YAML, with the notes as comments at the top.</summary>
    public string ToYaml(string source)
    {
        var header = new List<string> { $"Imported by lvsnetadm import from {source} ({Format} format)." };
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

        return ConfigYamlWriter.Write(Config, header);
    }
}

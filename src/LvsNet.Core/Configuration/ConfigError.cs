namespace LvsNet.Core.Configuration;

/// <summary>One problem found in a configuration document.</summary>
/// <param name="Path">The YAML path, for example <c>virtual_services[0].real_servers[1].weight</c>.</param>
/// <param name="Line">The 1-based line in the file, when known.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record ConfigError(string Path, int? Line, string Message)
{
    /// <summary>Formats as <c>path (line N): message</c>.</summary>
    public override string ToString() =>
        Line is { } line ? $"{Path} (line {line}): {Message}" : $"{Path}: {Message}";
}

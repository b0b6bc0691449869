namespace LvsNet.Core.Configuration;

/// <summary>One problem found in a configuration document.</summary>
/// <param name="Path">The YAML path, for example <c>virtual_services[0].real_servers[1].weight</c>.</param>
/// <param name="Line">The 1-based line in the file, when known.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record ConfigError(string Path, int? Line, string Message)
{
    /// <summary>The 1-based column, when known (YAML syntax errors).</summary>
    public int? Column { get; init; }

    /// <summary>Formats as <c>path (line N): message</c>, or <c>path (line N, column M): message</c>; the document root is written <c>(document)</c>.</summary>
    public override string ToString()
    {
        var path = Path.Length == 0 ? "(document)" : Path;
        return Line is { } line
            ? Column is { } column ? $"{path} (line {line}, column {column}): {Message}" : $"{path} (line {line}): {Message}"
            : $"{path}: {Message}";
    }
}

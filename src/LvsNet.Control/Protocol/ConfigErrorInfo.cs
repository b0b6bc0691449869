namespace LvsNet.Control.Protocol;

/// <summary>A configuration error on the wire.</summary>
/// <param name="Path">The YAML path.</param>
/// <param name="Line">The line in the file, when known.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ConfigErrorInfo(string Path, int? Line, string Message)
{
    /// <summary>Formats as <c>path (line N): message</c>, like the daemon's log.</summary>
    public override string ToString() =>
        Path.Length == 0 ? Message : Line is { } line ? $"{Path} (line {line}): {Message}" : $"{Path}: {Message}";
}

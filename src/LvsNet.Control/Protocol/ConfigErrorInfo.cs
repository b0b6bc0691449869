namespace LvsNet.Control.Protocol;

/// <summary>A configuration error on the wire.</summary>
/// <param name="Path">The YAML path.</param>
/// <param name="Line">The line in the file, when known.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ConfigErrorInfo(string Path, int? Line, string Message)
{
    /// <summary>The column in the file, when known (YAML syntax errors).</summary>
    public int? Column { get; init; }

    /// <summary>Formats as <c>path (line N[, column M]): message</c>, like the daemon's log; a message with no path and no line stands alone.</summary>
    public override string ToString()
    {
        if (Path.Length == 0 && Line is null)
        {
            return Message;
        }

        var path = Path.Length == 0 ? "(document)" : Path;
        return Line is { } line
            ? Column is { } column ? $"{path} (line {line}, column {column}): {Message}" : $"{path} (line {line}): {Message}"
            : $"{path}: {Message}";
    }
}

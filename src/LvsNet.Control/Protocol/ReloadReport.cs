namespace LvsNet.Control.Protocol;

/// <summary>The outcome of a configuration reload.</summary>
public sealed record ReloadReport
{
    /// <summary>When the reload finished.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>True when the file's configuration is now in force.</summary>
    public required bool Applied { get; init; }

    /// <summary>The file that was read.</summary>
    public string? Path { get; init; }

    /// <summary>A one-line summary of what changed (services +N -N ~N, real servers ...), when known.</summary>
    public string? Summary { get; init; }

    /// <summary>Every error of a rejected file.</summary>
    public IReadOnlyList<ConfigErrorInfo> Errors { get; init; } = [];
}

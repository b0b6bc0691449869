namespace LvsNet.Core.Runtime;

/// <summary>What a new snapshot changed compared with the previous one, for the reload log line.</summary>
public sealed record SnapshotChanges
{
    /// <summary>Services added ("TCP 10.0.0.100:80").</summary>
    public List<string> ServicesAdded { get; } = [];

    /// <summary>Services removed.</summary>
    public List<string> ServicesRemoved { get; } = [];

    /// <summary>Services whose settings changed.</summary>
    public List<string> ServicesEdited { get; } = [];

    /// <summary>Real servers added ("TCP 10.0.0.100:80 -> 10.0.0.11:80").</summary>
    public List<string> ServersAdded { get; } = [];

    /// <summary>Real servers removed.</summary>
    public List<string> ServersRemoved { get; } = [];

    /// <summary>Real servers whose weight or method changed.</summary>
    public List<string> ServersEdited { get; } = [];

    /// <summary>True when anything changed.</summary>
    public bool Any => ServicesAdded.Count + ServicesRemoved.Count + ServicesEdited.Count + ServersAdded.Count + ServersRemoved.Count + ServersEdited.Count > 0;

    /// <summary>A one-line summary.</summary>
    public override string ToString() =>
        $"services +{ServicesAdded.Count} -{ServicesRemoved.Count} ~{ServicesEdited.Count}, real servers +{ServersAdded.Count} -{ServersRemoved.Count} ~{ServersEdited.Count}";
}

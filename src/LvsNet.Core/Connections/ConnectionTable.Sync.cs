namespace LvsNet.Core.Connections;

/// <summary>What the connection synchronisation needs of the table (on the owning capture thread).</summary>
public sealed partial class ConnectionTable
{
    /// <summary>The entry at <paramref name="index"/>, writable: the sync decision keeps its synced state and a template's packet count there.</summary>
    internal ref ConnectionEntry Mutable(int index) => ref _entries[index];
}

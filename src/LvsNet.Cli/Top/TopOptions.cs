namespace LvsNet.Cli.Top;

/// <summary>The settings of <c>lvsnetadm top</c>.</summary>
public sealed record TopOptions
{
    /// <summary>The time between refreshes (<c>-d SECONDS</c>, as top's delay).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The initial sort (<c>--sort KEY</c>, the key letters of <see cref="TopSortKey"/>).</summary>
    public TopSortKey Sort { get; init; } = TopSortKey.Address;

    /// <summary>Batch mode (<c>-b</c>, as top's): print frames one after another without clearing the screen or reading keys.</summary>
    public bool Batch { get; init; }

    /// <summary>Stop after this many frames (<c>-i N</c>), or null to run until 'q' or Ctrl-C.</summary>
    public int? Iterations { get; init; }

    /// <summary>The key letter of each sort, in help order.</summary>
    public static IReadOnlyList<(char Key, TopSortKey Sort, string Name)> Keys { get; } =
    [
        ('n', TopSortKey.Address, "address"),
        ('c', TopSortKey.ConnectionRate, "conn/s"),
        ('a', TopSortKey.Active, "active"),
        ('i', TopSortKey.Inactive, "inactive"),
        ('p', TopSortKey.PacketRate, "pkt/s"),
        ('b', TopSortKey.ByteRate, "bytes/s"),
        ('s', TopSortKey.State, "state"),
        ('w', TopSortKey.Weight, "weight"),
    ];

    /// <summary>The sort of a key letter, or null.</summary>
    public static TopSortKey? SortOf(char key) => Keys.FirstOrDefault(k => k.Key == char.ToLowerInvariant(key)) is { Name: not null } found ? found.Sort : null;

    /// <summary>The display name of a sort.</summary>
    public static string NameOf(TopSortKey sort) => Keys.First(k => k.Sort == sort).Name;
}

namespace LvsNet.Hostile;

/// <summary>Every class of the campaign, in the order it runs; ids are stable for a given build.</summary>
internal static class ClassCatalog
{
    public static IReadOnlyList<HostileClass> All { get; } = Build();

    /// <summary>The classes named in <paramref name="names"/> ("all" or a comma list), in catalog order.</summary>
    public static IReadOnlyList<HostileClass> Select(string names)
    {
        if (names == "all")
        {
            return All;
        }

        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Where(n => All.All(c => c.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("unknown class(es): " + string.Join(", ", unknown) + "; see `lvsnet-hostile list`");
        }

        return [.. All.Where(c => wanted.Contains(c.Name))];
    }

    private static List<HostileClass> Build()
    {
        var id = 0;
        int Next() => ++id;
        return [.. ArpClasses.All(Next), .. InvalidClasses.All(Next), .. FloodClasses.All(Next), .. Ipv6Classes.All(Next)];
    }
}

namespace LvsNet.Core.Configuration;

/// <summary>The <c>fragments</c> section: the bounds of IP fragment handling.</summary>
public static partial class LvsConfigReader
{
    private static FragmentConfig ReadFragments(YamlMapping map)
    {
        var defaults = new FragmentConfig();
        var config = new FragmentConfig
        {
            MemoryBytes = (int?)map.Integer("memory_bytes", 64 * 1024, 1L << 30) ?? defaults.MemoryBytes,
            MaxDatagrams = (int?)map.Integer("max_datagrams", 4, 1 << 20) ?? defaults.MaxDatagrams,
            Timeout = map.Duration("timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120)) ?? defaults.Timeout,
        };
        map.RejectUnknownKeys();
        return config;
    }
}

namespace LvsNet.Core.Configuration;

/// <summary>YAML <c>announce</c> (route announcement through BIRD).</summary>
public static partial class LvsConfigReader
{
    private static AnnounceConfig? ReadAnnounce(YamlMapping map)
    {
        var defaults = new AnnounceConfig { RoutesFile = "/" };
        var routesFile = AbsolutePath(map, "routes_file", required: true);
        var birdConfig = AbsolutePath(map, "bird_config", required: false);
        var birdSocket = AbsolutePath(map, "bird_socket", required: false);
        var birdBinary = AbsolutePath(map, "bird_binary", required: false);
        var require = defaults.Require;
        switch (map.String("require")?.ToLowerInvariant())
        {
            case null: break;
            case "all_services": require = AnnounceRequirement.AllServices; break;
            case "any_service": require = AnnounceRequirement.AnyService; break;
            case var other: map.Error("require", map.Find("require"), $"must be all_services or any_service, got '{other}'"); break;
        }

        var config = new AnnounceConfig
        {
            RoutesFile = routesFile ?? "/",
            BirdConfig = birdConfig,
            BirdSocket = birdSocket ?? defaults.BirdSocket,
            BirdBinary = birdBinary ?? defaults.BirdBinary,
            Require = require,
            DrainTimeout = map.Duration("drain_timeout", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? defaults.DrainTimeout,
            StopDelay = map.Duration("stop_delay", TimeSpan.Zero, TimeSpan.FromSeconds(60)) ?? defaults.StopDelay,
        };
        if (routesFile is not null && routesFile == birdConfig)
        {
            map.Error("routes_file", map.Find("routes_file"), "must differ from bird_config (lvsnetd rewrites it)");
        }

        map.RejectUnknownKeys();
        return routesFile is null ? null : config;
    }

    private static string? AbsolutePath(YamlMapping map, string key, bool required)
    {
        var text = map.String(key, required);
        if (text is null)
        {
            return null;
        }

        // BIRD's include takes a quoted string: a quote or a line break would end it early.
        if (!text.StartsWith('/') || text.IndexOfAny(['"', '\n', '\r', '\0']) >= 0)
        {
            map.Error(key, map.Find(key), $"must be an absolute path without quotes or line breaks, got '{text}'");
            return null;
        }

        return text;
    }
}

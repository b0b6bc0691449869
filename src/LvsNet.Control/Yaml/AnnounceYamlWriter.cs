using System.Text;
using LvsNet.Core.Configuration;

namespace LvsNet.Control.Yaml;

/// <summary>The <c>announce</c> section of the YAML the daemon exports: routes_file always, the rest only when it differs from the defaults.</summary>
public static class AnnounceYamlWriter
{
    /// <summary>Appends the section (nothing when <paramref name="announce"/> is null).</summary>
    public static void Write(StringBuilder yaml, AnnounceConfig? announce)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (announce is null)
        {
            return;
        }

        var defaults = new AnnounceConfig { RoutesFile = announce.RoutesFile };
        yaml.Append("announce:\n");
        Key(yaml, "routes_file", ConfigYamlWriter.Scalar(announce.RoutesFile));
        if (announce.BirdConfig is { } birdConfig)
        {
            Key(yaml, "bird_config", ConfigYamlWriter.Scalar(birdConfig));
        }

        if (announce.BirdSocket != defaults.BirdSocket)
        {
            Key(yaml, "bird_socket", ConfigYamlWriter.Scalar(announce.BirdSocket));
        }

        if (announce.BirdBinary != defaults.BirdBinary)
        {
            Key(yaml, "bird_binary", ConfigYamlWriter.Scalar(announce.BirdBinary));
        }

        if (announce.Require != defaults.Require)
        {
            Key(yaml, "require", announce.Require == AnnounceRequirement.AnyService ? "any_service" : "all_services");
        }

        if (announce.DrainTimeout != defaults.DrainTimeout)
        {
            Key(yaml, "drain_timeout", DurationParser.Format(announce.DrainTimeout));
        }

        if (announce.StopDelay != defaults.StopDelay)
        {
            Key(yaml, "stop_delay", DurationParser.Format(announce.StopDelay));
        }
    }

    private static void Key(StringBuilder yaml, string key, string value) =>
        yaml.Append("  ").Append(key).Append(": ").Append(value).Append('\n');
}

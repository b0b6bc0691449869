using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Daemon;

/// <summary>
/// Where and how the HTTP endpoint (metrics and status page) listens: the YAML <c>http</c> section,
/// with <c>--metrics-port</c> (kept from before the section existed) choosing the port when given.
/// </summary>
/// <param name="Address">The bind address (<see cref="Ipv4Address"/> form).</param>
/// <param name="Port">The port.</param>
/// <param name="Config">The YAML section, or null when only <c>--metrics-port</c> turned the endpoint on.</param>
public sealed record HttpEndpointSettings(uint Address, int Port, HttpEndpointConfig? Config)
{
    /// <summary>True when the endpoint serves HTTPS.</summary>
    public bool Tls => Config?.TlsCertificate is not null;

    /// <summary>The base URL ("http://127.0.0.1:9100/"), with the address an operator would type.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"{(Tls ? "https" : "http")}://{Ipv4Address.Format(Address)}:{Port}/");

    /// <summary>The endpoint's settings, or null when it is off (no <c>http</c> section and no <c>--metrics-port</c>).</summary>
    public static HttpEndpointSettings? Resolve(DaemonOptions options, LvsConfig? config)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = config?.Http;
        if (options.MetricsPort is { } port)
        {
            return new HttpEndpointSettings(http?.Address ?? HttpEndpointConfig.Loopback, port, http);
        }

        return http is null ? null : new HttpEndpointSettings(http.Address, http.Port, http);
    }
}

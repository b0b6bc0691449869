namespace LvsNet.Core.Configuration;

/// <summary>The <c>http</c> section: the metrics and status-page endpoint.</summary>
public static partial class LvsConfigReader
{
    private static HttpEndpointConfig? ReadHttp(YamlMapping map)
    {
        var address = map.Ipv4("address") ?? HttpEndpointConfig.Loopback;
        var port = (int?)map.Integer("port", 1, 65535, required: true);
        string? username = null;
        string? hash = null;
        if (map.Mapping("basic_auth") is { } auth)
        {
            username = auth.String("username", required: true);
            if (username is not null && username.Contains(':', StringComparison.Ordinal))
            {
                auth.Error("username", auth.Find("username"), "must not contain ':' (basic authentication separates user and password with it)");
            }

            hash = auth.String("password_sha256", required: true);
            if (hash is not null && (hash.Length != 64 || !hash.All(Uri.IsHexDigit)))
            {
                auth.Error("password_sha256", auth.Find("password_sha256"), "must be the SHA-256 of the password as 64 hex digits (printf %s PASSWORD | sha256sum)");
                hash = null;
            }

            auth.RejectUnknownKeys();
        }

        string? certificate = null;
        string? key = null;
        if (map.Mapping("tls") is { } tls)
        {
            certificate = tls.String("certificate", required: true);
            key = tls.String("key", required: true);
            tls.RejectUnknownKeys();
        }

        var admin = map.Boolean("admin_actions") ?? false;
        if (admin && !map.Has("basic_auth"))
        {
            map.Error("admin_actions", map.Find("admin_actions"), "needs basic_auth: nobody may change the director without logging in");
        }

        map.RejectUnknownKeys();
        return port is null ? null : new HttpEndpointConfig
        {
            Address = address,
            Port = port.Value,
            Username = username,
            PasswordSha256 = hash?.ToLowerInvariant(),
            TlsCertificate = certificate,
            TlsKey = key,
            AdminActions = admin,
        };
    }
}

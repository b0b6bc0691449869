namespace LvsNet.Core.Configuration;

/// <summary>The health-check rules of IPv6 services: which checks can probe an IPv6 real server.</summary>
public static partial class ConfigValidator
{
    // TCP, HTTP/SSL, UDP, DNS, SMTP, MISC, FILE, PING checks and agent checks open their sockets in
    // the target's family (PING sends an ICMPv6 echo to an IPv6 server), so they probe IPv6 servers
    // as they are. via_vip needs an IPv4 policy route, and a sorry server is an IPv4 address: those
    // are refused.
    private static void ValidateIpv6HealthChecks(VirtualServiceConfig service, string path, int? line, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        if (service.Quorum?.SorryServer is not null)
        {
            errors.Add(new ConfigError(path + ".sorry_server", line, $"sorry_server (an IPv4 address) {NotBuiltForIpv6}"));
        }

        for (var k = 0; k < (service.HealthCheck?.Checks.Length ?? 0); k++)
        {
            Ipv6Check(service.HealthCheck!.Checks[k], $"{path}.health_check.checks[{k}]", lineOf($"{path}.health_check.checks[{k}]") ?? line, errors);
        }

        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            var serverPath = $"{path}.real_servers[{j}]";
            for (var k = 0; k < (server.HealthCheck?.Checks.Length ?? 0); k++)
            {
                Ipv6Check(server.HealthCheck!.Checks[k], $"{serverPath}.health_check.checks[{k}]", lineOf($"{serverPath}.health_check.checks[{k}]") ?? lineOf(serverPath) ?? line, errors);
            }
        }
    }

    private static void Ipv6Check(CheckerConfig check, string path, int? line, List<ConfigError> errors)
    {
        if (check.ViaVirtualAddress)
        {
            errors.Add(new ConfigError(path + ".via_vip", line, $"via_vip (an IPv4 policy route through the real server) {NotBuiltForIpv6}"));
        }
    }
}

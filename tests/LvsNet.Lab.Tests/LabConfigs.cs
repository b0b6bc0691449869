namespace LvsNet.Lab.Tests;

/// <summary>Daemon configurations several lab tests share.</summary>
internal static class LabConfigs
{
    /// <summary>
    /// One rr web service on the lab's VIP over rs1 (weight 1) and rs2 (weight 3), each checked by
    /// HTTP GET /health every second; <paramref name="sections"/> adds top-level YAML sections.
    /// </summary>
    public static string HealthCheckedWeb(string sections = "") => $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        {sections}virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: rr
            health_check:
              delay_loop: 1s
              connect_timeout: 1s
              retry: 1
              delay_before_retry: 1s
              warmup: 0
              checks:
                - type: http_get
                  path: /health
                  body_contains: ok
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
                weight: 3
        """;
}

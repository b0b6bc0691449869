using System.Security.Cryptography;
using System.Text.Json;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The HTTP bench (lab/http-bench.sh --short) produces every row of its matrix: the direct path, HAProxy,
/// nginx stream and lvsnetd on every backend for DR and NAT, the direct path over IPv6, and lvsnetd on
/// every backend with an IPv4 and an IPv6 DR service at once (the dual-stack rows, measured in pairs of
/// runs), each with keep-alive and one connection per request. Speed is not asserted (the machine is
/// shared), only that requests were answered through each, and that every dual-stack row carries the
/// IPv6/IPv4 ratio of its pairs.
/// </summary>
[Trait("Category", "Lab")]
public class HttpBenchLabTests
{
    private static readonly string[] Rows =
    [
        "direct", "haproxy", "nginx",
        "pcap-dr", "afpacket-dr", "afpacket2-dr", "afxdp-dr",
        "pcap-nat", "afpacket-nat", "afpacket2-nat", "afxdp-nat",
        "direct6",
    ];

    private static readonly string[] DualStackRows = ["pcap-dual", "afpacket-dual", "afpacket2-dual", "afxdp-dual"];

    [RequiresRootFact]
    public void ShortBench_ProducesEveryRowWithAnsweredRequests()
    {
        var id = "hb" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "lab", "http-bench.sh");
        try
        {
            var result = ProcessResult.Run(script, ["--short", "--id", id], TimeSpan.FromMinutes(4));
            Assert.True(result.ExitCode == 0, $"http-bench.sh exited {result.ExitCode}:\n{result.Output}");

            // The last line of standard output is the JSON array of rows.
            var json = result.StandardOutput.Trim().Split('\n')[^1];
            using var document = JsonDocument.Parse(json);
            var seen = new HashSet<string>();
            foreach (var row in document.RootElement.EnumerateArray())
            {
                var name = row.GetProperty("row").GetString()!;
                var mode = row.GetProperty("mode").GetString()!;
                Assert.Contains(mode, new[] { "keepalive", "close" });
                Assert.True(row.GetProperty("runs").GetInt32() == 1, $"{name} {mode}: {row}");
                Assert.True(row.GetProperty("rps").GetDouble() > 0, $"{name} {mode} answered no request: {row}");
                Assert.True(row.GetProperty("p99_ms").ValueKind == JsonValueKind.Number, $"{name} {mode} has no p99: {row}");
                if (name.EndsWith("-dual", StringComparison.Ordinal))
                {
                    // Both families answered through the one daemon, and the pair's ratio is there.
                    Assert.True(row.GetProperty("rps_ipv4").GetDouble() > 0, $"{name} {mode} answered no IPv4 request: {row}");
                    Assert.True(row.GetProperty("x_ipv4").ValueKind == JsonValueKind.Number, $"{name} {mode}: {row}");
                    Assert.True(row.GetProperty("proxy_cpu_pct").ValueKind == JsonValueKind.Number, $"{name} {mode}: {row}");
                    seen.Add(name + "/" + mode);
                    continue;
                }

                if (!name.StartsWith("direct", StringComparison.Ordinal))
                {
                    // Every middlebox row has its own CPU and a ratio to HAProxy.
                    Assert.True(row.GetProperty("proxy_cpu_pct").ValueKind == JsonValueKind.Number, $"{name} {mode}: {row}");
                    Assert.True(row.GetProperty("x_haproxy").ValueKind == JsonValueKind.Number, $"{name} {mode}: {row}");
                }

                seen.Add(name + "/" + mode);
            }

            foreach (var row in Rows.Concat(DualStackRows))
            {
                Assert.Contains(row + "/keepalive", seen);
                Assert.Contains(row + "/close", seen);
            }

            foreach (var row in DualStackRows)
            {
                Assert.Contains("| " + row + " | keepalive | 1 |", result.StandardOutput);
                Assert.Contains("| " + row + " | close | 1 |", result.StandardOutput);
            }

            // The markdown table names every row too.
            foreach (var row in Rows)
            {
                Assert.Contains("| " + row + " |", result.StandardOutput);
            }
        }
        finally
        {
            // Normally the script's trap has already done this; after a kill on timeout it has not.
            ProcessResult.Run(Lab.Script, ["down", id + "d"], TimeSpan.FromSeconds(30));
            ProcessResult.Run(Lab.Script, ["down", id + "n"], TimeSpan.FromSeconds(30));
        }
    }
}

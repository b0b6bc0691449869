using System.Security.Cryptography;
using System.Text.Json;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>The pps bench (lab/pps-bench.sh) runs end to end: blaster, lvsnetd and the nftables counters agree that frames flowed.</summary>
[Trait("Category", "Lab")]
public class PpsBenchLabTests
{
    [RequiresRootTheory]
    [InlineData("pcap", 1)]
    [InlineData("afpacket", 1)]
    [InlineData("afpacket", 2)]
    [InlineData("afxdp", 1)]
    public void ShortBench_ForwardsFrames(string backend, int workers)
    {
        var id = "pb" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "lab", "pps-bench.sh");
        try
        {
            var result = ProcessResult.Run(script, ["--short", "--backend", backend, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--id", id], TimeSpan.FromSeconds(15));
            Assert.True(result.ExitCode == 0, $"pps-bench.sh exited {result.ExitCode}:\n{result.Output}");

            // The last line is the JSON array of results; timing is not asserted, only that frames were forwarded.
            var json = result.StandardOutput.Trim().Split('\n')[^1];
            using var document = JsonDocument.Parse(json);
            var ack = document.RootElement[0];
            Assert.Equal("ack64", ack.GetProperty("case").GetString());
            Assert.Equal(backend, ack.GetProperty("backend").GetString());
            Assert.Equal(workers, ack.GetProperty("workers").GetInt32());
            Assert.True(ack.GetProperty("offered").GetInt64() > 0, json);
            Assert.True(ack.GetProperty("forwarded").GetInt64() > 0, json);
        }
        finally
        {
            // Normally the script's trap has already done this; after a kill on timeout it has not.
            ProcessResult.Run(Lab.Script, ["down", id], TimeSpan.FromSeconds(30));
        }
    }
}

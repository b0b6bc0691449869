using System.Collections.Immutable;
using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Cli.Tests.Import.KeepalivedTestFiles;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>
/// TestData/checkers.conf: SMTP_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK (with its global
/// track_file), HTTP regex options, omega and ha_suspend map to lvsnetd's checkers. Expected values
/// come from keepalived.conf(5) (its hex-string example, defaults) and check_file.c (the checker's
/// weight overrides the track_file's).
/// </summary>
public class KeepalivedCheckerImportTests
{
    private static readonly string Text = Read("checkers.conf");

    private static readonly ImportResult Result = ConfigImporter.Import(Text, Director);

    private static VirtualServiceConfig ServiceOn(ushort port) => Assert.Single(Result.Config.VirtualServices, s => s.Port == port);

    private static ImmutableArray<CheckerConfig> ChecksOf(VirtualServiceConfig service, string address) =>
        Assert.Single(service.RealServers, r => r.Address == Ip(address)).HealthCheck!.Checks;

    [Fact]
    public void Import_CheckersFile_IsComplete()
    {
        Assert.Empty(Result.Errors);
        Assert.Empty(Result.ValidationErrors);
        Assert.True(Result.Complete);
        Assert.Equal(3, Result.Config.VirtualServices.Length);
    }

    [Fact]
    public void SmtpCheck_HeloNameAndHosts()
    {
        var smtp = ServiceOn(25);
        var first = Assert.IsType<SmtpCheckConfig>(ChecksOf(smtp, "10.0.0.11")[0]);
        Assert.Equal("director.example.net", first.HeloName);
        Assert.Empty(first.Hosts);
        Assert.Equal(TimeSpan.FromSeconds(5), first.Parameters.ConnectTimeout);
        Assert.Equal(2, first.Parameters.Retry);

        var second = Assert.IsType<SmtpCheckConfig>(ChecksOf(smtp, "10.0.0.12")[0]);
        Assert.Equal(SmtpCheckConfig.DefaultHeloName, second.HeloName);
        Assert.Equal([new SmtpHost(Ip("10.0.0.12"), 25), new SmtpHost(Ip("10.0.0.12"), 587)], second.Hosts.AsEnumerable());
    }

    [Fact]
    public void FileCheck_TakesTheTrackFilesPathAndWeight_TheCheckersWeightWins()
    {
        var smtp = ServiceOn(25);
        var drain = Assert.IsType<FileCheckConfig>(ChecksOf(smtp, "10.0.0.11")[1]);
        Assert.Equal(("/run/lvs/rs11.drain", 0, false), (drain.Path, drain.Weight, drain.Reverse));

        // track_file rs12_load says weight -10 reverse; the FILE_CHECK's "weight 5" replaces both.
        var load = Assert.IsType<FileCheckConfig>(ChecksOf(smtp, "10.0.0.12")[1]);
        Assert.Equal(("/run/lvs/rs12.load", 5, false), (load.Path, load.Weight, load.Reverse));
    }

    [Fact]
    public void OmegaAndHaSuspend_GoToTheServicesHealthCheck()
    {
        var health = ServiceOn(25).HealthCheck!;
        Assert.True(health.Omega);
        Assert.True(health.HaSuspend);
        Assert.Equal("/usr/local/sbin/page-oncall smtp", ServiceOn(25).Quorum!.DownCommand);
        Assert.False(ServiceOn(80).HealthCheck!.Omega);
        Assert.False(ServiceOn(80).HealthCheck!.HaSuspend);
    }

    [Fact]
    public void UdpCheck_HexStringsAsKeepalivedReadsThem()
    {
        var dns = ServiceOn(53);
        var udp = Assert.IsType<UdpCheckConfig>(ChecksOf(dns, "10.0.0.11")[0]);

        // keepalived.conf(5): "Ab12f 3 456 546443123" is AB 12 0F 03 45 06 54 64 43 12 03.
        Assert.Equal(new byte[] { 0xAB, 0x12, 0x0F, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03 }, udp.Payload.ToArray());
        Assert.True(udp.RequireReply);
        Assert.Equal(new byte[] { 0x0A, 0x0B }, udp.Reply.ToArray());
        Assert.Equal((4, 512), (udp.MinReplyLength, udp.MaxReplyLength));
        Assert.Equal(TimeSpan.FromSeconds(4), udp.Parameters.ConnectTimeout);

        var bare = Assert.IsType<UdpCheckConfig>(ChecksOf(dns, "10.0.0.12")[0]);
        Assert.True(bare.RequireReply);
        Assert.Empty(bare.Reply);
        Assert.Equal(UdpCheckConfig.DefaultMaxReplyLength, bare.MaxReplyLength);
    }

    [Fact]
    public void PingCheck_WithItsTimeout()
    {
        var ping = Assert.IsType<PingCheckConfig>(ChecksOf(ServiceOn(53), "10.0.0.11")[1]);
        Assert.Equal(TimeSpan.FromSeconds(2), ping.Parameters.ConnectTimeout);
    }

    [Fact]
    public void HttpRegex_OptionsBecomeInlineFlags_NoMatchAndMaxOffsetKept()
    {
        var checks = ChecksOf(ServiceOn(80), "10.0.0.11");
        var health = Assert.IsType<HttpGetCheckConfig>(checks[0]);
        Assert.Equal("(?im)^status: (ok|degraded)$", health.Regex);
        Assert.False(health.RegexNoMatch);
        Assert.Equal(4096, health.RegexMaxOffset);

        var maintenance = Assert.IsType<HttpGetCheckConfig>(checks[1]);
        Assert.Equal(("/maintenance", "maintenance", true, (int?)null), (maintenance.Path, maintenance.Regex, maintenance.RegexNoMatch, maintenance.RegexMaxOffset));
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == LineOf(Text, "regex_stack") && n.Message.Contains("ignored", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("UDP_CHECK {\n payload 0g\n }", "expected hex digits")]
    [InlineData("UDP_CHECK {\n require_reply 0aXx\n }", "no 'X' (any nibble) positions")]
    [InlineData("FILE_CHECK {\n track_file nowhere\n }", "no track_file nowhere block")]
    [InlineData("FILE_CHECK {\n connect_timeout 3\n }", "FILE_CHECK takes track_file, weight and dynamic only")]
    [InlineData("SMTP_CHECK {\n host {\n bindto 10.0.0.2\n }\n }", "connect_ip and connect_port only")]
    [InlineData("HTTP_GET {\n url {\n path /\n regex \"a\"\n regex_options ungreedy\n }\n }", "option 'ungreedy' has no .NET equivalent")]
    [InlineData("HTTP_GET {\n url {\n path /\n regex \"(?<\"\n }\n }", "not a pattern lvsnetd's .NET engine accepts")]
    [InlineData("PING_CHECK {\n count 3\n }", "unknown PING_CHECK keyword")]
    public void UnmappableCheckerOption_IsAnError(string checker, string reason)
    {
        var result = ConfigImporter.Import($"virtual_server 10.0.0.100 80 {{\n protocol TCP\n lb_kind DR\n real_server 10.0.0.11 80 {{\n{checker}\n }}\n}}\n", Director);
        Assert.Contains(result.Errors, n => n.Message.Contains(reason, StringComparison.Ordinal));
        Assert.False(result.Complete);
    }

    [Fact]
    public void UdpCheck_WithoutPayload_SaysLvsnetdSendsAnEmptyDatagram()
    {
        var result = ConfigImporter.Import("virtual_server 10.0.0.100 53 {\n protocol UDP\n lb_kind DR\n real_server 10.0.0.11 53 {\n UDP_CHECK {\n }\n }\n}\n", Director);
        Assert.Empty(result.Errors);
        Assert.Contains(result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 5 && n.Message.Contains("keepalived sends random bytes", StringComparison.Ordinal));
    }

    /// <summary>
    /// The import of checkers.conf is committed as config/examples/keepalived-checkers.yaml, which
    /// the daemon's ExampleConfigTests run through the real <c>lvsnetd --check</c>; this keeps the two
    /// identical, so that test checks what the import writes today.
    /// </summary>
    [Fact]
    public void ImportedYaml_IsTheCommittedExample()
    {
        var example = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "config", "examples", "keepalived-checkers.yaml"));
        Assert.Equal(example, Result.ToYaml("checkers.conf"));
        Assert.Equal(Result.Config.VirtualServices.AsEnumerable(), LvsConfigReader.Parse(example).VirtualServices.AsEnumerable());
    }
}

using System.Text.Json;
using LvsNet.Cli.Admin;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Daemon.Tests.Control;

/// <summary>lvsnetadm end to end over a real command socket (no capture thread).</summary>
public class AdminRunnerTests
{
    [Fact]
    public async Task ListNumeric_PrintsIpvsadmsLayout()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (code, stdout, stderr) = await host.AdminAsync("-L -n");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=1048576)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  10.0.0.100:80 rr\n" +
            "  -> 10.0.0.11:80                 Route   1      0          0         \n" +
            "  -> 10.0.0.12:80                 Route   1      0          0         \n",
            stdout);
    }

    [Fact]
    public async Task EditCommands_ChangeTheRunningTableSilentlyLikeIpvsadm()
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.Equal((0, "", ""), await host.AdminAsync("-A -u 10.0.0.100:53 -s wrr -p 60"));
        Assert.Equal((0, "", ""), await host.AdminAsync("-a -u 10.0.0.100:53 -r 10.0.0.11 -w 2"));
        Assert.Equal((0, "", ""), await host.AdminAsync("-e -t 10.0.0.100:80 -r 10.0.0.12 -w 0"));
        Assert.Equal((0, "", ""), await host.AdminAsync("--set 100 0 20"));
        var (_, save, _) = await host.AdminAsync("-S -n");
        Assert.Equal(
            "-A -t 10.0.0.100:80 -s rr\n" +
            "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 1\n" +
            "-a -t 10.0.0.100:80 -r 10.0.0.12:80 -g -w 0\n" +
            "-A -u 10.0.0.100:53 -s wrr -p 60\n" +
            "-a -u 10.0.0.100:53 -r 10.0.0.11:53 -g -w 2\n",
            save);
        Assert.Equal((0, "Timeout (tcp tcpfin udp): 100 120 20\n", ""), await host.AdminAsync("-L --timeout"));
    }

    [Fact]
    public async Task SaveClearRestore_GivesBackTheSameRules()
    {
        await using var host = await ControlTestHost.StartAsync();
        await host.AdminAsync("-A -t 10.0.0.101:443 -s sh -b sh-port");
        await host.AdminAsync("-a -t 10.0.0.101:443 -r 10.0.0.20 -w 5");
        var (_, before, _) = await host.AdminAsync("-S -n");
        Assert.Equal((0, "", ""), await host.AdminAsync("-C"));
        Assert.Empty(host.Runtime.Current!.Services);
        Assert.Equal((0, "", ""), await host.AdminAsync("-R", before));
        var (_, after, _) = await host.AdminAsync("-S -n");
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("-A -t 10.0.0.100:80", 255, "Service already exists\n")]
    [InlineData("-D -t 10.0.0.100:81", 255, "No such service\n")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11", 255, "Destination already exists\n")]
    [InlineData("-d -t 10.0.0.100:80 -r 10.0.0.13", 255, "No such destination\n")]
    [InlineData("-E -t 10.0.0.100:80 -s nope", 255, "Scheduler or persistence engine not found\n")]
    [InlineData("-L -n -t 10.0.0.100:81", 255, "No such service\n")]
    [InlineData("-Z -t 10.0.0.100:81", 255, "No such service\n")]
    [InlineData("-A -t 10.0.0.101", 2, "Zero port specified for non-persistent service\n")]
    [InlineData("-L --bogus", 255, "--bogus: unknown option\n")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.9.9", 255, "lvsnetd refused the resulting configuration:\n  virtual_services[0].real_servers[0].address: dr needs the real server on the director's segment 10.0.0.0/24\n")]
    public async Task RefusedCommand_PrintsIpvsadmsMessageAndExitsNonZero(string line, int code, string stderr)
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.Equal((code, "", stderr), await host.AdminAsync(line));
    }

    [Fact]
    public async Task Restore_BadLine_NamesItAndAppliesNothing()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (code, _, stderr) = await host.AdminAsync("-R", "-C\n-A -t 10.0.0.101:80\n-a -t 10.0.0.101:80 -r 10.0.0.11 -w lots\n");
        Assert.Equal(2, code);
        Assert.Equal("line 3: illegal weight specified\n", stderr);
        Assert.Single(host.Runtime.Current!.Services);

        (code, _, stderr) = await host.AdminAsync("-R", "-C\n-a -t 10.0.0.101:80 -r 10.0.0.11\n");
        Assert.Equal(255, code);
        Assert.Equal("line 2: Service not defined\n", stderr);
        Assert.Single(host.Runtime.Current!.Services);
    }

    [Fact]
    public async Task DaemonNotRunning_ExitsThreeSayingSo()
    {
        var stderr = new StringWriter();
        var code = await new AdminRunner(new StringReader(""), new StringWriter(), stderr, NumericNameResolver.Instance).RunAsync(["--socket", "/nonexistent/lvsnetd.sock", "-L", "-n"]);
        Assert.Equal(AdminRunner.Unreachable, code);
        Assert.StartsWith("lvsnetadm: no command socket at /nonexistent/lvsnetd.sock", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_PrintsTheResultWithEveryError()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (code, stdout, _) = await host.AdminAsync("reload");
        Assert.Equal(0, code);
        Assert.StartsWith($"applied {host.ConfigPath} at ", stdout, StringComparison.Ordinal);

        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml.Replace("port: 80", "port: 99999", StringComparison.Ordinal).Replace("rr", "zz", StringComparison.Ordinal));
        (code, _, var stderr) = await host.AdminAsync("reload");
        Assert.Equal(1, code);
        Assert.Contains("with 2 error(s); the running configuration stays:\n", stderr, StringComparison.Ordinal);
        Assert.Contains("  virtual_services[0].port (line 9): must be between 0 and 65535, got 99999\n", stderr, StringComparison.Ordinal);
        Assert.Contains("  virtual_services[0].scheduler (line 10): unknown scheduler 'zz'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AndLogLevel_AndExport()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (code, stdout, _) = await host.AdminAsync("status");
        Assert.Equal(0, code);
        Assert.Contains($"configuration: {host.ConfigPath} (snapshot 1: 1 virtual service(s), 2 real server(s))\n", stdout, StringComparison.Ordinal);
        Assert.Contains("capture: not running\n", stdout, StringComparison.Ordinal);
        Assert.Equal((0, "log level Debug (was Information)\n", ""), await host.AdminAsync("log-level Debug"));
        (code, stdout, _) = await host.AdminAsync("export-yaml");
        Assert.Equal(0, code);
        Assert.Equal("web", LvsConfigReader.Parse(stdout).VirtualServices[0].Name);
    }

    [Fact]
    public async Task Json_PrintsTheDaemonsData()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (code, stdout, _) = await host.AdminAsync("--json -L -n");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var service = json.RootElement.GetProperty("services")[0];
        Assert.Equal("10.0.0.100", service.GetProperty("address").GetString());
        Assert.Equal(2, service.GetProperty("servers").GetArrayLength());
        (_, stdout, _) = await host.AdminAsync("status --json");
        Assert.Equal(host.ConfigPath, JsonDocument.Parse(stdout).RootElement.GetProperty("config_path").GetString());
    }

    [Fact]
    public async Task Import_KeepalivedFile_PrintsYamlAndTheReport()
    {
        await using var host = await ControlTestHost.StartAsync();
        var file = Path.Combine(host.Directory, "keepalived.conf");
        File.WriteAllText(file, "virtual_server 10.0.0.100 80 {\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.0.11 80 {\n    weight 2\n    TCP_CHECK {\n    }\n  }\n}\n");
        var (code, stdout, stderr) = await host.AdminAsync($"import {file}");
        Assert.Equal(0, code);
        var config = LvsConfigReader.Parse(stdout);
        Assert.Equal("eth0", config.Director.Interface);
        Assert.Equal(2, config.VirtualServices[0].RealServers[0].Weight);
        Assert.Contains("imported 1 virtual service(s) with 1 real server(s) from keepalived format", stderr, StringComparison.Ordinal);
        Assert.Contains("director section taken from the running lvsnetd", stderr, StringComparison.Ordinal);
        Assert.Contains("checkers TCP_CHECK", stderr, StringComparison.Ordinal);

        (code, stdout, _) = await host.AdminAsync($"--socket /nonexistent.sock import {file} --interface eth9 --address 10.0.0.3/24");
        Assert.Equal(0, code);
        Assert.Equal("eth9", LvsConfigReader.Parse(stdout).Director.Interface);
    }
}

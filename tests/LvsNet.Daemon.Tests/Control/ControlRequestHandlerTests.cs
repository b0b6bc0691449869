using System.Runtime.Versioning;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Serilog.Events;
using Xunit;

namespace LvsNet.Daemon.Tests.Control;

[SupportedOSPlatform("linux")]
public class ControlRequestHandlerTests
{
    private static readonly IpvsadmParser Parser = new();

    private static EditOperation Op(string line) => Parser.Parse(line.Split(' ')).Operation!;

    [Fact]
    public async Task Edit_AddAndWeightZero_AppliedAtomicallyKeepingServerState()
    {
        await using var host = await ControlTestHost.StartAsync();
        var rs1 = host.Runtime.Current!.Services[0].Servers[0];
        var response = host.Handler.Edit([Op("-a -t 10.0.0.100:80 -r 10.0.0.13"), Op("-e -t 10.0.0.100:80 -r 10.0.0.12 -w 0")]);
        Assert.True(response.Ok, response.Error);
        var servers = host.Runtime.Current!.Services[0].Servers;
        Assert.Equal([Ipv4Address.Parse("10.0.0.13"), Ipv4Address.Parse("10.0.0.11"), Ipv4Address.Parse("10.0.0.12")], servers.Select(s => s.Address));
        Assert.Same(rs1, servers[1]);
        Assert.Equal(0, servers[2].Weight);
        Assert.Equal("web", host.Runtime.Current.Services[0].Config.Name);
    }

    [Fact]
    public async Task Edit_ResultTheValidatorRefuses_ReportsItsErrorsAndKeepsRunning()
    {
        await using var host = await ControlTestHost.StartAsync();
        var before = host.Runtime.Current;
        var response = host.Handler.Edit([Op("-a -t 10.0.0.100:80 -r 10.9.0.13")]);
        Assert.False(response.Ok);
        Assert.Equal("lvsnetd refused the resulting configuration:", response.Error);
        var error = Assert.Single(response.Errors!);
        Assert.Equal("virtual_services[0].real_servers[0].address", error.Path);
        Assert.Same(before, host.Runtime.Current);
    }

    [Fact]
    public async Task Edit_BatchWithAFailingLine_ChangesNothing()
    {
        await using var host = await ControlTestHost.StartAsync();
        var before = host.Runtime.Current;
        var response = host.Handler.Edit([Op("-C"), Op("-A -t 10.0.0.101:80") with { Line = 2 }, Op("-a -t 10.0.0.102:80 -r 10.0.0.11") with { Line = 3 }]);
        Assert.Equal("line 3: Service not defined", response.Error);
        Assert.Same(before, host.Runtime.Current);
    }

    [Fact]
    public async Task List_OneOrUnknownService()
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.Single(host.Handler.List(new ServiceSelector("tcp", "10.0.0.100", 80)).Listing!.Services);
        Assert.Equal("No such service", host.Handler.List(new ServiceSelector("udp", "10.0.0.100", 80)).Error);
        var listing = host.Handler.List(null).Listing!;
        Assert.Equal(1 << 20, listing.TableSize);
        Assert.Equal(new TimeoutSettings(900, 120, 300), listing.Timeouts);
    }

    [Fact]
    public async Task Zero_AllOrOneService()
    {
        // Counter arithmetic is covered by StatisticsBookTests (Core) and the lab test (--stats, -Z).
        await using var host = await ControlTestHost.StartAsync();
        Assert.True(host.Handler.Zero(null).Ok);
        Assert.True(host.Handler.Zero(new ServiceSelector("tcp", "10.0.0.100", 80)).Ok);
        Assert.Equal(TrafficStats.Zero, host.Handler.List(null).Listing!.Services[0].Stats);
        Assert.Equal("No such service", host.Handler.Zero(new ServiceSelector("tcp", "10.0.0.100", 81)).Error);
    }

    [Fact]
    public async Task Status_ShowsUnsavedEditsUntilAReload()
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.False(host.Handler.Status().UnsavedRuntimeEdits);
        host.Handler.Edit([Op("-d -t 10.0.0.100:80 -r 10.0.0.12")]);
        var status = host.Handler.Status();
        Assert.True(status.UnsavedRuntimeEdits);
        Assert.Equal(1, status.Services);
        Assert.Equal(1, status.RealServers);
        Assert.Null(status.DataPath);
        Assert.Equal("http://127.0.0.1:9123/metrics", status.MetricsEndpoint);
        Assert.Equal("http://127.0.0.1:9123/", status.StatusPage);

        var reload = host.Handler.Reload();
        Assert.True(reload.Ok);
        Assert.Equal(2, host.Runtime.Current!.Services[0].Servers.Length);
        Assert.False(host.Handler.Status().UnsavedRuntimeEdits);
        Assert.Contains("real servers +1", reload.Reload!.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_MaxEntriesChanged_ReportedAsNeedingARestart_TimeoutsApplied()
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.Equal(1 << 20, host.Runtime.Current!.Config.Connections.MaxEntries);
        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml + "\nconnections:\n  max_entries: 4096\n  tcp_timeout: 60s\n");
        var response = host.Handler.Reload();
        Assert.True(response.Ok);
        Assert.Contains("needs a restart: connections.max_entries", response.Reload!.Summary, StringComparison.Ordinal);
        Assert.Equal(["connections.max_entries"], host.Reload.RestartRequired);

        // The table keeps the size it was built with; the rest of the section is in force.
        Assert.Equal(1 << 20, host.Runtime.Current!.Config.Connections.MaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(60), host.Runtime.Current.Config.Connections.TcpTimeout);

        // Back to the running size: nothing is left for a restart.
        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml);
        response = host.Handler.Reload();
        Assert.DoesNotContain("needs a restart", response.Reload!.Summary ?? "", StringComparison.Ordinal);
        Assert.Empty(host.Reload.RestartRequired);
    }

    [Fact]
    public async Task Reload_FragmentBoundsChanged_NeedARestart_TimeoutApplied()
    {
        await using var host = await ControlTestHost.StartAsync();
        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml + "\nfragments:\n  memory_bytes: 4194304\n  max_datagrams: 1024\n  timeout: 2s\n");
        var response = host.Handler.Reload();
        Assert.True(response.Ok);
        Assert.Contains("needs a restart: fragments.memory_bytes/max_datagrams", response.Reload!.Summary, StringComparison.Ordinal);

        // The buffers keep the size they were allocated with; the timeout is in force.
        var fragments = host.Runtime.Current!.Config.Fragments;
        Assert.Equal((1536 * 1024, 256, TimeSpan.FromSeconds(2)), (fragments.MemoryBytes, fragments.MaxDatagrams, fragments.Timeout));

        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml + "\nfragments:\n  timeout: 3s\n");
        response = host.Handler.Reload();
        Assert.DoesNotContain("needs a restart", response.Reload!.Summary ?? "", StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), host.Runtime.Current!.Config.Fragments.Timeout);
    }

    [Fact]
    public async Task Reload_InvalidFile_ReportsEveryErrorAndKeepsRunning()
    {
        await using var host = await ControlTestHost.StartAsync();
        File.WriteAllText(host.ConfigPath, ControlTestHost.Yaml.Replace("scheduler: rr", "scheduler: nope", StringComparison.Ordinal).Replace("10.0.0.12", "10.0.0.x", StringComparison.Ordinal));
        var before = host.Runtime.Current;
        var response = host.Handler.Reload();
        Assert.False(response.Ok);
        Assert.False(response.Reload!.Applied);
        Assert.Equal(2, response.Reload.Errors.Count);
        Assert.Contains(response.Reload.Errors, e => e.Path == "virtual_services[0].scheduler" && e.Line == 10);
        Assert.Contains(response.Reload.Errors, e => e.Path == "virtual_services[0].real_servers[1].address");
        Assert.Same(before, host.Runtime.Current);
        Assert.False(host.Handler.Status().LastReload!.Applied);
    }

    [Fact]
    public async Task Reload_TellsSystemdReloadingThenReady()
    {
        await using var host = await ControlTestHost.StartAsync(notify: true);
        host.Handler.Reload();
        Assert.Matches(@"^RELOADING=1\nMONOTONIC_USEC=\d+$", host.ReceiveNotification());
        Assert.Equal("READY=1", host.ReceiveNotification());
    }

    [Theory]
    [InlineData("Debug", LogEventLevel.Debug)]
    [InlineData("verbose", LogEventLevel.Verbose)]
    [InlineData("trace", LogEventLevel.Verbose)]
    [InlineData("Warning", LogEventLevel.Warning)]
    [InlineData("warn", LogEventLevel.Warning)]
    [InlineData("fatal", LogEventLevel.Fatal)]
    public async Task SetLogLevel_SwitchesSerilogsLevel(string name, LogEventLevel level)
    {
        await using var host = await ControlTestHost.StartAsync();
        var response = host.Handler.SetLogLevel(name);
        Assert.True(response.Ok);
        Assert.Equal(level, host.LevelSwitch.MinimumLevel);
        Assert.Equal(level.ToString(), host.Handler.Status().LogLevel);
    }

    [Theory]
    [InlineData("loud")]
    [InlineData("7")]
    [InlineData("")]
    public async Task SetLogLevel_UnknownName_Fails(string name)
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.False(host.Handler.SetLogLevel(name).Ok);
        Assert.Equal(LogEventLevel.Information, host.LevelSwitch.MinimumLevel);
    }

    [Fact]
    public async Task ExportYaml_ReadsBackToTheRunningConfiguration()
    {
        await using var host = await ControlTestHost.StartAsync();
        host.Handler.Edit([Op("-A -u 10.0.0.100:53 -s sh -b sh-port -o"), Op("-a -u 10.0.0.100:53 -r 10.0.0.11 -x 10")]);
        var response = await host.SendAsync(new ControlRequest { Command = ControlCommands.ExportYaml });
        var read = LvsConfigReader.Parse(response.Yaml!);
        Assert.Equal(host.Runtime.Current!.Config.VirtualServices.Length, read.VirtualServices.Length);
        for (var i = 0; i < read.VirtualServices.Length; i++)
        {
            Assert.Equal(host.Runtime.Current.Config.VirtualServices[i], read.VirtualServices[i]);
        }
    }

    [Fact]
    public async Task WriteConfig_EveryEditIsWrittenToTheFile()
    {
        await using var host = await ControlTestHost.StartAsync(writeConfig: true);
        File.SetUnixFileMode(host.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.True(host.Handler.Edit([Op("-e -t 10.0.0.100:80 -r 10.0.0.11 -w 7")]).Ok);
        var written = LvsConfigReader.ReadFile(host.ConfigPath);
        Assert.Equal(7, written.VirtualServices[0].RealServers.Single(s => s.Address == Ipv4Address.Parse("10.0.0.11")).Weight);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(host.ConfigPath));
        Assert.False(host.Handler.Status().UnsavedRuntimeEdits);
        Assert.True(host.Handler.Status().WritesConfig);
        Assert.Single(Directory.GetFiles(host.Directory, "*.yaml*"));
    }

    [Fact]
    public async Task Connections_WithoutACaptureThread_FailsClearly()
    {
        await using var host = await ControlTestHost.StartAsync();
        var response = await host.SendAsync(new ControlRequest { Command = ControlCommands.Connections });
        Assert.Equal("the capture thread is not running", response.Error);
    }
}

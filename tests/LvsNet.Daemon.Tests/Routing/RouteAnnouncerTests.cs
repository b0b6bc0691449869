using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Ha;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Routing;
using LvsNet.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Routing;

/// <summary>The announcer against a fake BIRD control socket: what it writes, when it reconfigures, drain and undrain.</summary>
public sealed class RouteAnnouncerTests : IDisposable
{
    private const string Route100 = "route 10.79.0.100/32 blackhole;\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("lvt-announce-").FullName;
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly LvsRuntime _runtime = new();
    private readonly DirectorRoleState _role = new(DirectorRole.Master);
    private bool _capture = true;

    public RouteAnnouncerTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(Socket));
        _listener.Listen(8);
        _ = ServeAsync();
        _runtime.Apply(LvsConfigReader.Parse(Yaml()));
    }

    private string Socket => Path.Combine(_directory, "bird.ctl");

    private string RoutesFile => Path.Combine(_directory, "vips.conf");

    private string Yaml(string servers = "      - address: 10.77.0.11\n") =>
        $"director:\n  interface: eth0\n  address: 10.77.0.2/24\nannounce:\n  routes_file: {RoutesFile}\n  bird_socket: {Socket}\n  drain_timeout: 30s\n"
        + $"virtual_services:\n  - protocol: tcp\n    address: 10.79.0.100\n    port: 80\n    scheduler: mh\n    real_servers:\n{servers}";

    private RouteAnnouncer Announcer() => new(_runtime, () => _capture, _role, new TestTimeProvider(), NullLogger<RouteAnnouncer>.Instance);

    [Fact]
    public async Task Healthy_WritesTheRoute_AndReconfiguresOnce()
    {
        var announcer = Announcer();
        announcer.Start();
        Assert.DoesNotContain("route ", File.ReadAllText(RoutesFile), StringComparison.Ordinal);
        await announcer.TickAsync(CancellationToken.None);
        await announcer.TickAsync(CancellationToken.None);
        Assert.EndsWith(Route100, File.ReadAllText(RoutesFile), StringComparison.Ordinal);
        Assert.Equal(["configure"], _commands);
        var status = announcer.Status()!;
        Assert.True(status.InSync);
        Assert.Equal("serving", status.DrainState);
        var vip = Assert.Single(status.Vips);
        Assert.Equal(("10.79.0.100", true, (string?)null), (vip.Address, vip.Announced, vip.Reason));
        var rows = new AnnouncementStatusSection(announcer).Rows().ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal("announced", rows["VIP 10.79.0.100"]);
        Assert.Equal("serving, 0 active connections", rows["state"]);
        Assert.Equal("external", rows["bird"]);
    }

    [Fact]
    public async Task Drain_Withdraws_CompletesWithoutConnections_ThenUndrainAnnounces()
    {
        var announcer = Announcer();
        announcer.Start();
        await announcer.TickAsync(CancellationToken.None);
        Assert.True(announcer.Drain(null).Ok);
        await announcer.TickAsync(CancellationToken.None);
        Assert.DoesNotContain("route ", File.ReadAllText(RoutesFile), StringComparison.Ordinal);
        var status = announcer.Status()!;
        Assert.Equal("drained", status.DrainState); // no active connection: the drain is over at its first decision
        Assert.Equal("drained", Assert.Single(status.Vips).Reason);
        Assert.Equal(TimeSpan.FromSeconds(30), status.DrainDeadline - status.DrainedSince);
        Assert.True(announcer.Undrain().Ok);
        await announcer.TickAsync(CancellationToken.None);
        Assert.EndsWith(Route100, File.ReadAllText(RoutesFile), StringComparison.Ordinal);
        Assert.Equal(3, _commands.Count);
        Assert.False(announcer.Drain(TimeSpan.FromDays(2)).Ok);
    }

    [Fact]
    public async Task CaptureDown_RoleBackup_NoServer_EachWithdraw()
    {
        var announcer = Announcer();
        announcer.Start();
        _capture = false;
        await announcer.TickAsync(CancellationToken.None);
        Assert.Equal("capture_down", Assert.Single(announcer.Status()!.Vips).Reason);
        _capture = true;
        _role.Set(DirectorRole.Backup);
        await announcer.TickAsync(CancellationToken.None);
        Assert.Equal("not_master", Assert.Single(announcer.Status()!.Vips).Reason);
        _role.Set(DirectorRole.Master);
        _runtime.Apply(LvsConfigReader.Parse(Yaml("      - address: 10.77.0.11\n        weight: 0\n")));
        await announcer.TickAsync(CancellationToken.None);
        Assert.Equal("quorum_lost", Assert.Single(announcer.Status()!.Vips).Reason);
        Assert.DoesNotContain("route ", File.ReadAllText(RoutesFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BirdUnreachable_StaysOutOfSync_AndRetries()
    {
        _listener.Close();
        File.Delete(Socket);
        var announcer = Announcer();
        announcer.Start();
        await announcer.TickAsync(CancellationToken.None);
        await announcer.TickAsync(CancellationToken.None);
        var status = announcer.Status()!;
        Assert.False(status.InSync);
        Assert.Equal(2, status.ReconfigurationFailures);
        Assert.Contains("bird.ctl", status.LastError, StringComparison.Ordinal);
        Assert.EndsWith(Route100, File.ReadAllText(RoutesFile), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // BIRD's control socket as far as lvsnetd uses it: greeting, one command, "0003 Reconfigured".
    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var peer = await _listener.AcceptAsync(_stop.Token);
                await peer.SendAsync(Encoding.ASCII.GetBytes("0001 BIRD 2.0.12 ready.\n"));
                var buffer = new byte[256];
                var n = await peer.ReceiveAsync(buffer);
                _commands.Enqueue(Encoding.ASCII.GetString(buffer, 0, n).TrimEnd('\n'));
                await peer.SendAsync(Encoding.ASCII.GetBytes("0002-Reading configuration from /x\n0003 Reconfigured\n"));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Test over.
        }
    }
}

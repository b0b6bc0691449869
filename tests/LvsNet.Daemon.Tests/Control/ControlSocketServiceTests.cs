using System.Net.Sockets;
using System.Runtime.Versioning;
using LvsNet.Control.Protocol;
using LvsNet.Daemon.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Control;

[SupportedOSPlatform("linux")]
public class ControlSocketServiceTests
{
    [Fact]
    public async Task Start_SocketHasMode0600AndAnswers()
    {
        await using var host = await ControlTestHost.StartAsync();
        Assert.True(host.Socket.IsListening);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(host.SocketPath));
        Assert.Equal([host.SocketPath], Directory.GetFiles(Path.GetDirectoryName(host.SocketPath)!));
        var response = await host.SendAsync(new ControlRequest { Command = ControlCommands.Status });
        Assert.True(response.Ok);
        Assert.Equal(host.ConfigPath, response.Status!.ConfigPath);
    }

    [Fact]
    public async Task Stop_RemovesTheSocketFile()
    {
        var host = await ControlTestHost.StartAsync();
        var path = host.SocketPath;
        var directory = host.Directory;
        await host.Socket.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(path));
        await host.DisposeAsync();
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Start_StaleSocketFromACrashedDaemon_IsReplaced()
    {
        var directory = Directory.CreateTempSubdirectory("lvsnet-stale-").FullName;
        var path = Path.Combine(directory, "lvsnetd.sock");
        try
        {
            // .NET unlinks a socket file when the socket is disposed; a crashed process leaves it.
            var python = System.Diagnostics.Process.Start("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path])!;
            python.WaitForExit();
            Assert.True(File.Exists(path));
            await using var host = await ControlTestHost.StartAsync();
            var service = new ControlSocketService(host.Handler, host.Options with { SocketPath = path }, NullLogger<ControlSocketService>.Instance);
            await service.StartAsync(CancellationToken.None);
            Assert.True(service.IsListening);
            Assert.True((await new ControlClient(path).SendAsync(new ControlRequest { Command = ControlCommands.Status })).Ok);
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_SocketOfALiveDaemon_IsLeftAlone()
    {
        await using var first = await ControlTestHost.StartAsync();
        var second = new ControlSocketService(first.Handler, first.Options, NullLogger<ControlSocketService>.Instance);
        await second.StartAsync(CancellationToken.None);
        Assert.False(second.IsListening);
        await second.StopAsync(CancellationToken.None);
        second.Dispose();
        Assert.True((await first.SendAsync(new ControlRequest { Command = ControlCommands.Status })).Ok);
    }

    [Fact]
    public async Task Start_SocketOff_DoesNotListen()
    {
        await using var host = await ControlTestHost.StartAsync();
        var service = new ControlSocketService(host.Handler, host.Options with { SocketPath = null }, NullLogger<ControlSocketService>.Instance);
        await service.StartAsync(CancellationToken.None);
        Assert.False(service.IsListening);
        service.Dispose();
    }

    [Fact]
    public async Task MalformedRequest_GetsAnErrorResponse()
    {
        await using var host = await ControlTestHost.StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(host.SocketPath));
        await socket.SendAsync("this is not json\n"u8.ToArray(), SocketFlags.None);
        var line = await ControlClient.ReadLineAsync(socket, 1 << 20, CancellationToken.None);
        var response = ControlSerializer.ReadResponse(line);
        Assert.False(response.Ok);
        Assert.StartsWith("malformed request", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherProtocolVersion_IsRefusedNamingBothVersions()
    {
        await using var host = await ControlTestHost.StartAsync();
        var response = await host.SendAsync(new ControlRequest { Version = 99, Command = ControlCommands.Status });
        Assert.False(response.Ok);
        Assert.Equal($"protocol version 99 is not supported: this lvsnetd speaks version {ControlProtocol.Version}; use the lvsnetadm installed with it", response.Error);
    }

    [Fact]
    public async Task ConcurrentClients_AreAllAnswered()
    {
        await using var host = await ControlTestHost.StartAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.SendAsync(new ControlRequest { Command = ControlCommands.List })));
        Assert.All(responses, r => Assert.Single(r.Listing!.Services));
    }

    [Fact]
    public async Task ClientThatSendsNothing_DoesNotBlockOthers()
    {
        await using var host = await ControlTestHost.StartAsync();
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < ControlSocketService.MaxConcurrentRequests - 1; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(host.SocketPath));
                idle.Add(socket);
            }

            Assert.True((await host.SendAsync(new ControlRequest { Command = ControlCommands.Status })).Ok);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task UnknownCommand_IsAnError()
    {
        await using var host = await ControlTestHost.StartAsync();
        var response = await host.SendAsync(new ControlRequest { Command = "frobnicate" });
        Assert.Equal("unknown command 'frobnicate'", response.Error);
    }
}

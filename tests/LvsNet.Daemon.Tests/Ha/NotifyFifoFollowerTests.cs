using System.Diagnostics;
using LvsNet.Core.Configuration;
using LvsNet.Core.Ha;
using LvsNet.Daemon.Ha;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Ha;

/// <summary>
/// lvsnetd reading keepalived's notify FIFO: a real FIFO (mkfifo), written the way keepalived
/// writes it (its own read-write descriptor, one line per transition), and removed and created
/// again as a keepalived that created it does when it stops and the next one starts.
/// </summary>
public sealed class NotifyFifoFollowerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("lvsnet-fifo-").FullName;

    private string Fifo => Path.Combine(_directory, "notify.fifo");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void StateLines_SetTheRole_OtherInstancesAndCheckerLinesDoNot()
    {
        MakeFifo();
        var role = new DirectorRoleState(DirectorRole.Backup);
        using var follower = new NotifyFifoFollower(Fifo, "VI_LVSNET", role, NullLogger.Instance);
        using var keepalived = OpenAsKeepalived();

        Write(keepalived, "INSTANCE \"VI_OTHER\" MASTER 100\nVS \"10.0.0.1:80\" UP\nINSTANCE \"VI_LVSNET\" MASTER 150\n");
        AwaitRole(role, DirectorRole.Master);
        Assert.Equal(1, follower.Applied);

        Write(keepalived, "INSTANCE \"VI_LVSNET\" FAULT 150\n");
        AwaitRole(role, DirectorRole.Fault);

        // STOP changes nothing (as the notify script); a line split over two writes is one line.
        Write(keepalived, "INSTANCE \"VI_LVSNET\" STOP 150\nINSTANCE \"VI_LV");
        Write(keepalived, "SNET\" BACKUP 150\n");
        AwaitRole(role, DirectorRole.Backup);
        Assert.Equal(3, follower.Applied);
    }

    [Fact]
    public void FifoCreatedAfterStart_AndRecreatedByTheNextKeepalived_IsFollowed()
    {
        var role = new DirectorRoleState(DirectorRole.Backup);
        using var follower = new NotifyFifoFollower(Fifo, instance: null, role, NullLogger.Instance);

        // keepalived not started yet: no FIFO. Then it creates one and reports MASTER.
        Thread.Sleep(300);
        MakeFifo();
        using (var first = OpenAsKeepalived())
        {
            Write(first, "INSTANCE \"VI_1\" MASTER 100\n");
            AwaitRole(role, DirectorRole.Master);
        }

        // It stops and removes its FIFO; the next keepalived creates a new one at the same path.
        File.Delete(Fifo);
        MakeFifo();
        using var second = OpenAsKeepalived();
        Write(second, "INSTANCE \"VI_1\" BACKUP 100\n");
        AwaitRole(role, DirectorRole.Backup);
    }

    [Theory]
    [InlineData("INSTANCE \"VI_1\" MASTER 100", "INSTANCE", "VI_1", "MASTER")]
    [InlineData("GROUP \"G1\" BACKUP", "GROUP", "G1", "BACKUP")]
    [InlineData("INSTANCE \"VI 1\" FAULT 0\r", "INSTANCE", "VI 1", "FAULT")]
    public void Line_IsParsed(string line, string type, string name, string state)
    {
        Assert.True(KeepalivedNotifyLine.TryParse(line, out var parsed));
        Assert.Equal(new KeepalivedNotifyLine(type, name, state), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("INSTANCE VI_1 MASTER 100")]
    [InlineData("INSTANCE \"VI_1\"")]
    [InlineData("INSTANCE \"VI_1\" master 100")]
    [InlineData("INSTANCE \"\" MASTER 100")]
    public void Malformed_IsRefused(string line) => Assert.False(KeepalivedNotifyLine.TryParse(line, out _));

    [Fact]
    public void GroupLine_SetsTheRole_OnlyWhenNamed()
    {
        Assert.True(KeepalivedNotifyLine.TryParse("GROUP \"G1\" MASTER", out var group));
        Assert.True(group.TryGetRole("G1", out var role));
        Assert.Equal(DirectorRole.Master, role);
        Assert.False(group.TryGetRole(null, out _));
    }

    private static void Write(FileStream stream, string text)
    {
        stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
        stream.Flush();
    }

    private static void AwaitRole(DirectorRoleState state, DirectorRole role)
    {
        var watch = Stopwatch.StartNew();
        while (state.Role != role && watch.Elapsed < Wait)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(role, state.Role);
    }

    // keepalived opens its FIFO read-write (fifo_open), so its writes never wait for a reader.
    private FileStream OpenAsKeepalived() => new(Fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);

    private void MakeFifo()
    {
        using var mkfifo = Process.Start("mkfifo", ["-m", "600", Fifo]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}

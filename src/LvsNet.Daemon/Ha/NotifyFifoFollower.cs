using System.Text;
using LvsNet.Core.Ha;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// Follows keepalived's <c>notify_fifo</c> inside lvsnetd: reads its state lines
/// (<c>INSTANCE "VI_1" MASTER 100</c>) and sets the director's role from them, without a process
/// start per transition (the notify script's lvsnetadm or python3 start was most of lvsnetd's part
/// of a takeover).
/// </summary>
/// <remarks>
/// <para>keepalived creates the FIFO when it is missing and opens it read-write, so its writes never
/// fail for want of a reader, and what it writes while lvsnetd is not reading waits in the pipe.
/// lvsnetd opens it read-write too, for the same reason the other way round: a keepalived that
/// stops does not give lvsnetd an end of file.</para>
/// <para>A keepalived that created the FIFO removes it when it stops; the next one creates a new
/// one at the same path. A watchdog checks once a second that the open FIFO is still the one at
/// the path (and not "(deleted)"), and if not wakes the reader, which opens the new one.</para>
/// <para>Thread contract: one reader thread and one watchdog timer; the role state takes its own lock.</para>
/// </remarks>
internal sealed class NotifyFifoFollower : IDisposable
{
    private static readonly byte[] Wake = "\n"u8.ToArray();
    private readonly DirectorRoleState _role;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly Timer _watchdog;
    private readonly ManualResetEventSlim _stopped = new();
    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private FileStream? _stream;
    private volatile bool _stop;
    private volatile bool _reopen;
    private long _applied;

    /// <summary>Starts following <paramref name="path"/>.</summary>
    public NotifyFifoFollower(string path, string? instance, DirectorRoleState role, ILogger logger)
    {
        Path = path;
        Instance = instance;
        _role = role;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "lvsnet-notify-fifo" };
        _thread.Start();
        _watchdog = new Timer(_ => CheckStillCurrent(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The FIFO's path.</summary>
    public string Path { get; }

    /// <summary>The instance or group followed (null: every instance line).</summary>
    public string? Instance { get; }

    /// <summary>State lines that set the role (a repeated state included).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <inheritdoc />
    public void Dispose()
    {
        _stop = true;
        _stopped.Set();
        _watchdog.Dispose();
        WakeReader();
        _thread.Join(TimeSpan.FromSeconds(2));
        _stopped.Dispose();
    }

    private void Run()
    {
        var warned = false;
        while (!_stop)
        {
            var handle = TryOpen(out var reason);
            if (handle is null)
            {
                if (!warned)
                {
                    HaLog.NotifyFifoUnavailable(_logger, Path, reason);
                    warned = true;
                }

                _stopped.Wait(TimeSpan.FromSeconds(1));
                continue;
            }

            warned = false;
            _reopen = false;

            // Unbuffered, not seekable: each Read and Write is one read(2) or write(2) on the pipe.
            var stream = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
            lock (_gate)
            {
                _handle = handle;
                _stream = stream;
            }

            HaLog.NotifyFifoOpened(_logger, Path, Instance ?? "any");
            try
            {
                ReadLines(stream);
            }
            catch (Exception ex) when (ex is IOException or NotSupportedException or UnauthorizedAccessException)
            {
                HaLog.NotifyFifoUnavailable(_logger, Path, ex.Message);
                warned = true;
                _stopped.Wait(TimeSpan.FromSeconds(1));
            }
            finally
            {
                lock (_gate)
                {
                    _handle = null;
                    _stream = null;
                }

                stream.Dispose();
            }
        }
    }

    private SafeFileHandle? TryOpen(out string reason)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = ex.Message;
            return null;
        }

        // A regular file (a mistyped path) would be read from its start again at every retry; a FIFO
        // has no length. (An empty regular file only ever gives end of file: retried, nothing applied.)
        long length;
        try
        {
            length = RandomAccess.GetLength(handle);
        }
        catch (NotSupportedException)
        {
            length = 0;
        }

        if (length > 0)
        {
            reason = "not a FIFO";
            handle.Dispose();
            return null;
        }

        reason = string.Empty;
        return handle;
    }

    private void ReadLines(FileStream stream)
    {
        var buffer = new byte[4096];
        var line = new byte[KeepalivedNotifyLine.MaxLength + 1];
        var length = 0;
        var overlong = false;
        while (!_stop && !_reopen)
        {
            var read = stream.Read(buffer);
            if (read <= 0)
            {
                throw new IOException("end of file: not a FIFO");
            }

            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    if (!overlong && length > 0)
                    {
                        Apply(Encoding.ASCII.GetString(line, 0, length));
                    }

                    length = 0;
                    overlong = false;
                }
                else if (length < line.Length)
                {
                    line[length++] = b;
                }
                else
                {
                    overlong = true;
                }
            }
        }
    }

    private void Apply(string text)
    {
        if (KeepalivedNotifyLine.TryParse(text, out var parsed) && parsed.TryGetRole(Instance, out var role))
        {
            Interlocked.Increment(ref _applied);
            _role.Set(role);
        }
    }

    private void CheckStillCurrent()
    {
        int fd;
        lock (_gate)
        {
            if (_handle is null || _handle.IsClosed)
            {
                return;
            }

            fd = (int)_handle.DangerousGetHandle();
        }

        string? target;
        try
        {
            target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return;
        }

        if (target is null || target.EndsWith(" (deleted)", StringComparison.Ordinal) || !File.Exists(Path))
        {
            _reopen = true;
            WakeReader();
        }
    }

    // The reader blocks in read(2); a newline written into the same pipe ends that read.
    private void WakeReader()
    {
        lock (_gate)
        {
            if (_stream is { } stream && _handle is { IsClosed: false })
            {
                try
                {
                    stream.Write(Wake);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
                {
                    // Nothing to wake.
                }
            }
        }
    }
}

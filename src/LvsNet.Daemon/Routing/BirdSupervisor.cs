using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// Runs BIRD as lvsnetd's child (<c>bird -f -c CONFIG -s SOCKET</c>) and restarts it when it exits.
/// The child is started through <c>setpriv --pdeathsig KILL</c>, so the kernel kills BIRD the moment
/// lvsnetd dies, even by SIGKILL: its BGP sessions close (the router withdraws the routes at once
/// on the TCP close; BFD covers a host or link that dies silently).
/// </summary>
/// <remarks>
/// PR_SET_PDEATHSIG fires when the thread that forked the child exits, not only the process
/// (prctl(2)). The child is therefore started from a dedicated thread that lives until
/// <see cref="Stop"/>, never from a pool thread that the runtime may retire.
/// </remarks>
public sealed class BirdSupervisor : IDisposable
{
    /// <summary>The tool that sets the parent-death signal before exec (util-linux).</summary>
    public const string SetPriv = "/usr/bin/setpriv";

    private readonly string _binary;
    private readonly string _config;
    private readonly string _socket;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private volatile Process? _process;
    private long _starts;

    /// <summary>Creates the supervisor (nothing runs before <see cref="Start"/>).</summary>
    public BirdSupervisor(string binary, string config, string socket, ILogger logger)
    {
        _binary = binary;
        _config = config;
        _socket = socket;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "lvsnet-bird" };
    }

    /// <summary>True while the BIRD child runs.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>How many times BIRD was started.</summary>
    public long Starts => Interlocked.Read(ref _starts);

    /// <summary>The child's process id, or 0.</summary>
    public int Pid => _process is { HasExited: false } p ? p.Id : 0;

    /// <summary>Starts the supervising thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Asks BIRD to shut down (its peers get a Cease notification), kills it after <paramref name="grace"/>, and joins the thread.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            try
            {
                _ = await BirdControlClient.SendAsync(_socket, "down", TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Killed below.
            }
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
        while (_process is { HasExited: false } && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        _stop.Set();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(3));
        }
    }

    /// <summary>Stops without waiting for BIRD's clean shutdown.</summary>
    public void Stop()
    {
        _stop.Set();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(3));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsSet)
        {
            Process? process = null;
            try
            {
                process = Launch();
                _process = process;
                Interlocked.Increment(ref _starts);
                RoutingLog.BirdStarted(_logger, process.Id, _config);
                using var exited = new ManualResetEventSlim();
                process.EnableRaisingEvents = true;
                process.Exited += (_, _) => exited.Set();
                if (process.HasExited)
                {
                    exited.Set();
                }

                WaitHandle.WaitAny([_stop.WaitHandle, exited.WaitHandle]);
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(2000);
                }

                RoutingLog.BirdExited(_logger, process.HasExited ? process.ExitCode : -1);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                RoutingLog.BirdFailed(_logger, ex, ex.Message);
            }
            finally
            {
                process?.Dispose();
                _process = null;
            }

            // BIRD exits at once on a configuration error: do not spin.
            _stop.Wait(TimeSpan.FromSeconds(1));
        }
    }

    private Process Launch()
    {
        var direct = !File.Exists(SetPriv);
        var start = new ProcessStartInfo(direct ? _binary : SetPriv)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!direct)
        {
            start.ArgumentList.Add("--pdeathsig");
            start.ArgumentList.Add("KILL");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(_binary);
        }
        else
        {
            RoutingLog.BirdWithoutDeathSignal(_logger, SetPriv);
        }

        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_config);
        start.ArgumentList.Add("-s");
        start.ArgumentList.Add(_socket);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {_binary}");
        process.OutputDataReceived += (_, e) => Output(e.Data);
        process.ErrorDataReceived += (_, e) => Output(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Output(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            RoutingLog.BirdOutput(_logger, line);
        }
    }
}

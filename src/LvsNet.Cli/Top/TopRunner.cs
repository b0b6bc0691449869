using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Top;

/// <summary>
/// <c>lvsnetadm top</c>: asks the daemon for the health listing and its status every interval and
/// redraws the terminal (alternate screen, as top does), reading sort keys in between; 'q' quits.
/// In batch mode (<c>-b</c>, or when the terminal is not interactive) frames follow each other
/// on standard output without escape sequences.
/// </summary>
public sealed class TopRunner
{
    private const string EnterScreen = "\u001b[?1049h\u001b[?25l";
    private const string LeaveScreen = "\u001b[?25h\u001b[?1049l";
    private const string Home = "\u001b[H\u001b[2J";
    private static readonly TimeSpan KeyPoll = TimeSpan.FromMilliseconds(50);

    private readonly ControlClient _client;
    private readonly TextWriter _stdout;
    private readonly ITopTerminal _terminal;
    private readonly TimeProvider _time;

    /// <summary>Creates the runner.</summary>
    public TopRunner(ControlClient client, TextWriter stdout, ITopTerminal terminal, TimeProvider? time = null)
    {
        _client = client;
        _stdout = stdout;
        _terminal = terminal;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs until 'q', the iteration count, or cancellation; returns the exit status (3 when the daemon cannot be reached at the first frame).</summary>
    public async Task<int> RunAsync(TopOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var batch = options.Batch || !_terminal.Interactive;
        var sort = options.Sort;
        var frames = 0;
        if (!batch)
        {
            await _stdout.WriteAsync(EnterScreen).ConfigureAwait(false);
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                string frame;
                try
                {
                    frame = await FrameAsync(sort, batch, cancellationToken).ConfigureAwait(false);
                }
                catch (ControlConnectionException ex) when (frames > 0)
                {
                    // The daemon restarts: keep the last frame's place and say so, then try again.
                    frame = $"lvsnetadm top - {ex.Message} (retrying)\n";
                }

                await _stdout.WriteAsync(batch ? frame + "\n" : Home + frame).ConfigureAwait(false);
                await _stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                frames++;
                if (options.Iterations is { } limit && frames >= limit)
                {
                    return 0;
                }

                var deadline = _time.GetUtcNow() + options.Interval;
                while (_time.GetUtcNow() < deadline)
                {
                    if (!batch && _terminal.TryReadKey(out var key))
                    {
                        if (key is 'q' or 'Q')
                        {
                            return 0;
                        }

                        if (TopOptions.SortOf(key) is { } chosen)
                        {
                            sort = chosen;
                            break;
                        }
                    }

                    await Task.Delay(KeyPoll, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        finally
        {
            if (!batch)
            {
                await _stdout.WriteAsync(LeaveScreen).ConfigureAwait(false);
                await _stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> FrameAsync(TopSortKey sort, bool batch, CancellationToken cancellationToken)
    {
        var list = await _client.SendAsync(new ControlRequest { Command = ControlCommands.List, Health = true }, cancellationToken).ConfigureAwait(false);
        var status = await _client.SendAsync(new ControlRequest { Command = ControlCommands.Status }, cancellationToken).ConfigureAwait(false);
        var listing = list.Listing ?? new IpvsListing();

        // One row fewer than the terminal: the last line's newline would scroll the header away.
        var frame = TopView.Render(listing, status.Status, sort, _time.GetUtcNow(), batch ? 0 : _terminal.Width, batch ? 0 : Math.Max(0, _terminal.Height - 1));
        return list.Ok ? frame : $"lvsnetd: {list.Error}\n" + frame;
    }
}

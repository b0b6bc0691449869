using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace LvsNet.Core.Health.Checkers;

/// <summary>Runs commands through <c>/bin/sh -c</c> (keepalived runs its notify scripts the same way, without waiting on them).</summary>
public sealed class ShellCommandRunner : IHealthCommandRunner
{
    /// <summary>The shared instance.</summary>
    public static ShellCommandRunner Instance { get; } = new();

    /// <inheritdoc />
    public async Task<string?> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(MiscChecker.Shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {MiscChecker.Shell}");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                return string.Create(CultureInfo.InvariantCulture, $"killed after {timeout.TotalSeconds:0.#} s");
            }

            await Task.WhenAll(output, errors).ConfigureAwait(false);
            var detail = errors.Result.Trim();
            return process.ExitCode == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"exit status {process.ExitCode}") + (detail.Length == 0 ? "" : ": " + (detail.Length > 200 ? detail[..200] : detail));
        }
        catch (Win32Exception ex)
        {
            return ex.Message;
        }
    }
}

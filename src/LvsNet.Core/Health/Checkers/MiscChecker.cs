using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived MISC_CHECK: runs the operator's command through <c>/bin/sh -c</c> and judges its exit
/// code: 0 = up; with misc_dynamic 2..255 = up with weight (exit − 2); anything else = down. A
/// command still running when the check's time (misc_timeout) runs out is killed with its children.
/// With <c>feedback</c> (LvsNet), the first line it prints is passed on as an agent reply.
/// </summary>
public sealed class MiscChecker : IHealthChecker
{
    /// <summary>The shell the command runs in.</summary>
    public const string Shell = "/bin/sh";

    private readonly MiscCheckConfig _config;
    private readonly CheckTarget _target;

    /// <summary>Creates the checker.</summary>
    public MiscChecker(MiscCheckConfig config, CheckTarget target)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        _config = config;
        _target = target;
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_config.Command);
        SetEnvironment(start.Environment, _target.Server);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Shell}");
        }
        catch (Win32Exception ex)
        {
            return CheckResult.Failed($"cannot run the command: {ex.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();

            // Drain both pipes so that a chatty command cannot block on a full pipe.
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw;
            }

            await Task.WhenAll(output, errors).ConfigureAwait(false);
            var code = process.ExitCode;
            var feedback = _config.Feedback ? FirstLine(output.Result) : null;
            if (code == 0)
            {
                return CheckResult.Passed("exit status 0") with { Feedback = feedback };
            }

            if (_config.Dynamic && code is >= 2 and <= 255)
            {
                return CheckResult.Passed(string.Create(CultureInfo.InvariantCulture, $"exit status {code}: weight {code - 2}"), weight: code - 2) with { Feedback = feedback };
            }

            var detail = errors.Result.Trim();
            return CheckResult.Failed(string.Create(CultureInfo.InvariantCulture, $"exit status {code}") + (detail.Length == 0 ? "" : ": " + Truncate(detail))) with { Feedback = feedback };
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>The variables an operator's command sees: which service and server it is about.</summary>
    public static void SetEnvironment(IDictionary<string, string?> environment, RealServerKey server)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment["LVSNET_SERVICE"] = $"{(server.Service.Protocol == IpProtocol.Udp ? "udp" : "tcp")}/{server.Service.EndpointText}";
        environment["LVSNET_VIP"] = server.Service.AddressText;
        environment["LVSNET_VPORT"] = server.Service.Port.ToString(CultureInfo.InvariantCulture);
        environment["LVSNET_RS_ADDRESS"] = server.AddressText;
        environment["LVSNET_RS_PORT"] = server.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited.
        }
    }

    // The reply is the first line; an empty output gives no reply (the agent state stays).
    private static string? FirstLine(string output)
    {
        var end = output.IndexOf('\n', StringComparison.Ordinal);
        var line = (end < 0 ? output : output[..end]).Trim();
        return line.Length == 0 ? null : line;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}

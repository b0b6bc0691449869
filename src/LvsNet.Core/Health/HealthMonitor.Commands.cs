using LvsNet.Core.Health.Checkers;

namespace LvsNet.Core.Health;

/// <summary>The notify and quorum commands of <see cref="HealthMonitor"/> (run off the checks' path; failures are logged).</summary>
public sealed partial class HealthMonitor
{
    private void OnQuorumChanged(QuorumChange change)
    {
        var service = change.Service.ToString();
        var sorry = change.Config.SorryServer is { } s ? s.EndpointText : "none";
        if (change.Initial)
        {
            Log.QuorumInitial(_logger, service, change.Up ? "up" : "down", change.LiveWeight, change.Threshold, sorry);
            if (!change.Up)
            {
                RunCommand("quorum_down", change.Config.DownCommand, change.Service, "quorum_down");
            }

            return;
        }

        if (change.Up)
        {
            Log.QuorumGained(_logger, service, change.LiveWeight, change.Threshold, sorry);
            RunCommand("quorum_up", change.Config.UpCommand, change.Service, "quorum_up");
        }
        else
        {
            Log.QuorumLost(_logger, service, change.LiveWeight, change.Threshold, sorry);
            RunCommand("quorum_down", change.Config.DownCommand, change.Service, "quorum_down");
        }
    }

    private void RunCommand(string purpose, string? command, RealServerKey server, string @event) => RunCommand(purpose, command, server.Service, @event, server);

    private void RunCommand(string purpose, string? command, ServiceKey service, string @event, RealServerKey? server = null)
    {
        if (command is null)
        {
            return;
        }

        _ = RunCommandTask(purpose, command, service, @event, server);
    }

    private Task RunCommandTask(string purpose, string command, ServiceKey service, string @event, RealServerKey? server)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        MiscChecker.SetEnvironment(environment, server ?? new RealServerKey(service, 0, 0));
        if (server is null)
        {
            environment.Remove("LVSNET_RS_ADDRESS");
            environment.Remove("LVSNET_RS_PORT");
        }

        environment["LVSNET_EVENT"] = @event;
        var variables = environment.ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.Ordinal);
        return RunCommandAsync(purpose, command, variables);
    }

    private async Task RunCommandAsync(string purpose, string command, Dictionary<string, string> environment)
    {
        string? failure;
        try
        {
            failure = await _commands.RunAsync(command, environment, _options.CommandTimeout, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing notify command is logged; it must not disturb the checks.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex.Message;
        }

        if (failure is not null)
        {
            Log.CommandFailed(_logger, purpose, command, failure);
        }
    }
}

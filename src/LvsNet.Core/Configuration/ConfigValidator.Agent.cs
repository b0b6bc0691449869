namespace LvsNet.Core.Configuration;

/// <summary>The rules of <c>agent_check</c> and of MISC checks with <c>feedback</c>.</summary>
public static partial class ConfigValidator
{
    private static void ValidateAgentCheck(VirtualServiceConfig service, string scheduler, string path, int? line, List<ConfigError> errors)
    {
        var uses = service.AgentCheck is not null || service.RealServers.Any(s => s.AgentCheck is not null);
        if (!uses)
        {
            return;
        }

        if (!SchedulerNames.SupportsDynamicWeights(scheduler))
        {
            errors.Add(new ConfigError(path + ".agent_check", line, $"scheduler {scheduler} does not use weights as load shares; agent checks work with wrr, wlc, sed, nq, ovf, twos, lblc and lblcr"));
        }

        if (service.AgentCheck is { } shared)
        {
            ValidateAgentTimes(shared, path + ".agent_check", line, errors);
        }

        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            var serverPath = $"{path}.real_servers[{j}].agent_check";
            if (server.AgentCheck is { } own)
            {
                ValidateAgentTimes(own, serverPath, line, errors);
            }

            var enabled = server.AgentCheck?.Enabled ?? service.AgentCheck?.Enabled ?? true;
            if (enabled && (server.AgentCheck is not null || service.AgentCheck is not null) && (server.AgentCheck?.Port ?? service.AgentCheck?.Port) is null)
            {
                errors.Add(new ConfigError(server.AgentCheck is not null ? serverPath + ".port" : path + ".agent_check.port", line, "the agent's TCP port is required (here or in the service's agent_check)"));
            }

            if (AgentCheckConfig.Resolve(service.AgentCheck, server.AgentCheck) is { } settings && settings.Timeout > settings.Interval)
            {
                errors.Add(new ConfigError(serverPath + ".timeout", line, $"must not be longer than the interval ({DurationParser.Format(settings.Interval)})"));
            }
        }
    }

    private static void ValidateAgentTimes(AgentCheckConfig agent, string path, int? line, List<ConfigError> errors)
    {
        if (agent.Interval is { } interval && interval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add(new ConfigError(path + ".interval", line, "must be at least 100ms"));
        }

        if (agent.Timeout is { } timeout && timeout < TimeSpan.FromMilliseconds(100))
        {
            errors.Add(new ConfigError(path + ".timeout", line, "must be at least 100ms"));
        }
    }
}

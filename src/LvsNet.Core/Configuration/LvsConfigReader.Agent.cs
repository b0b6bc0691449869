namespace LvsNet.Core.Configuration;

/// <summary>Reads <c>agent_check</c> (of a service or of a real server).</summary>
public static partial class LvsConfigReader
{
    private static readonly TimeSpan MinAgentInterval = TimeSpan.FromMilliseconds(100);

    private static AgentCheckConfig? ReadAgentCheck(YamlMapping map)
    {
        if (map.Mapping("agent_check") is not { } agent)
        {
            return null;
        }

        var send = agent.String("send");
        if (send is not null && (send.Length > 256 || send.Any(char.IsControl)))
        {
            agent.Error("send", agent.Find("send"), "must be one line of at most 256 characters (a newline is added when sent)");
            send = null;
        }

        var config = new AgentCheckConfig
        {
            Enabled = agent.Boolean("enabled"),
            Port = (ushort?)agent.Integer("port", 1, 65535),
            Interval = agent.Duration("interval", MinAgentInterval, TimeSpan.FromHours(1)),
            Timeout = agent.Duration("timeout", MinAgentInterval, TimeSpan.FromHours(1)),
            Send = send,
        };
        agent.RejectUnknownKeys();
        return config;
    }
}

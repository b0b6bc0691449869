using System.Globalization;
using System.Text;

namespace LvsNet.Core.Feedback;

/// <summary>One interval's decision about one server, with every input that led to it (for the weight-change event and listings).</summary>
/// <param name="Input">The configured weight, active connections, health-check sample and agent factor.</param>
/// <param name="Agent">What the server's agent said, or null without an agent.</param>
/// <param name="State">The calculator's state after the interval (load, smoothed load, multiplier), or null when only the agent decided.</param>
/// <param name="EffectiveWeight">The weight given to the schedulers.</param>
/// <param name="At">When the decision was made.</param>
public sealed record DynamicWeightDecision(DynamicWeightInput Input, AgentStatus? Agent, DynamicWeightState? State, int EffectiveWeight, DateTimeOffset At)
{
    /// <summary>"configured 100, active 12, latency 41.2 ms, failures 0 %, agent ready up 75%, load 1.31, smoothed 1.18, multiplier 0.80, seeking, evidence +0.00/-0.00".</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"configured {Input.ConfiguredWeight}, active {Input.ActiveConnections}");
        if (Input.Sample is { } sample)
        {
            text.Append(", latency ").Append(sample.Latency is { } latency ? string.Create(CultureInfo.InvariantCulture, $"{latency.TotalMilliseconds:0.0} ms") : "none")
                .Append(CultureInfo.InvariantCulture, $", failures {sample.FailureRatio * 100:0} %");
        }

        if (Input.Handshake is { } handshake)
        {
            text.Append(CultureInfo.InvariantCulture, $", handshake {handshake.TotalMilliseconds:0.00} ms");
        }

        if (Agent is { } agent)
        {
            text.Append(", ").Append(agent.Source).Append(' ').Append(agent.Describe());
            if (!agent.Reachable)
            {
                text.Append(" (unreachable)");
            }
        }

        if (State is { } state)
        {
            text.Append(CultureInfo.InvariantCulture, $", load {state.LastLoad:0.00}, smoothed {state.SmoothedLoad:0.00}, band ±{(Math.Exp(state.Band) - 1) * 100:0} %, flap memory {state.FlapMemory:0.0}, multiplier {state.Multiplier:0.00}, {(state.Settled ? "settled" : "seeking")}, evidence +{state.Rise:0.00}/-{state.Fall:0.00}");
        }

        return text.ToString();
    }
}

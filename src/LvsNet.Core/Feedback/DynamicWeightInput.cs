namespace LvsNet.Core.Feedback;

/// <summary>The measurements of one server for one interval of <see cref="DynamicWeightCalculator"/>.</summary>
/// <param name="ConfiguredWeight">The operator's weight (0 = quiescent: left alone).</param>
/// <param name="ActiveConnections">The server's active connections now.</param>
/// <param name="Sample">Latency and failures from an <see cref="IServerLoadSignal"/>, or null.</param>
/// <param name="AgentFactor">
/// The fraction of the configured weight the server's agent allows (<see cref="AgentStatus.WeightFactor"/>):
/// 1 without an agent, 0 while drained, in maintenance or down.
/// </param>
/// <param name="Handshake">The mean SYN-to-established time of the server's NAT/FULLNAT connections completed in the interval, or null (none, or another method).</param>
public readonly record struct DynamicWeightInput(int ConfiguredWeight, int ActiveConnections, ServerLoadSample? Sample = null, double AgentFactor = 1.0, TimeSpan? Handshake = null)
{
    /// <summary>The weight the feedback loop scales: the configured weight times the agent's factor.</summary>
    public double BaseWeight => ConfiguredWeight <= 0 ? 0 : ConfiguredWeight * Math.Max(0, AgentFactor);
}

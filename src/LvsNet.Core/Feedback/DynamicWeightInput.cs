namespace LvsNet.Core.Feedback;

/// <summary>The measurements of one server for one interval of <see cref="DynamicWeightCalculator"/>.</summary>
/// <param name="ConfiguredWeight">The operator's weight (0 = quiescent: left alone).</param>
/// <param name="ActiveConnections">The server's active connections now.</param>
/// <param name="Sample">Latency and failures from an <see cref="IServerLoadSignal"/>, or null.</param>
public readonly record struct DynamicWeightInput(int ConfiguredWeight, int ActiveConnections, ServerLoadSample? Sample = null);

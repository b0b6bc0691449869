namespace LvsNet.Core.Feedback;

/// <summary>What a load signal measured for one server over the recent past.</summary>
/// <param name="Latency">The typical probe or request latency, or null when unknown.</param>
/// <param name="FailureRatio">The share of recent probes that failed, 0..1.</param>
public readonly record struct ServerLoadSample(TimeSpan? Latency, double FailureRatio);

namespace LvsNet.Core.Feedback;

/// <summary>What <see cref="DynamicWeightCalculator"/> remembers about one server between intervals.</summary>
/// <param name="ConfiguredWeight">The configured weight the state belongs to; 0 means not started, and a different weight restarts it.</param>
/// <param name="SmoothedLoad">The smoothed load index (1 = exactly the server's share).</param>
/// <param name="Multiplier">The effective weight as a fraction of the configured one.</param>
/// <param name="LastLoad">The last load index before smoothing (diagnostics).</param>
public record struct DynamicWeightState(int ConfiguredWeight, double SmoothedLoad, double Multiplier, double LastLoad);

using LvsNet.Core.Configuration;

namespace LvsNet.Core;

/// <summary>A virtual service gained or lost its quorum (raised by <see cref="AvailabilityOverlay.QuorumChanged"/>).</summary>
/// <param name="Service">The service.</param>
/// <param name="Up">The new quorum state.</param>
/// <param name="Initial">True for the first evaluation of the service (start or the service was added): a state, not a change.</param>
/// <param name="LiveWeight">The live weight that decided it.</param>
/// <param name="Threshold">The threshold it was compared with (quorum ± hysteresis).</param>
/// <param name="Config">The service's quorum settings (commands, sorry server).</param>
public sealed record QuorumChange(ServiceKey Service, bool Up, bool Initial, long LiveWeight, long Threshold, QuorumConfig Config);

namespace LvsNet.Core.Feedback;

/// <summary>
/// A source of per-server load measurements for the dynamic-weight policy: health checks implement
/// it with their probe latency and failure ratio. Active connection counts come from
/// <see cref="RealServerState"/> and need no signal.
/// </summary>
/// <remarks>Called from the dynamic-weight driver's timer thread, never from the data path.</remarks>
public interface IServerLoadSignal
{
    /// <summary>Gets the latest measurements of <paramref name="server"/>; false when there are none.</summary>
    bool TryGetSample(RealServerState server, out ServerLoadSample sample);
}

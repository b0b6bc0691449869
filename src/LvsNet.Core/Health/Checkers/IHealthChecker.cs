namespace LvsNet.Core.Health.Checkers;

/// <summary>One checker of one real server (TCP connect, HTTP GET, MISC, DNS), bound to its target at creation.</summary>
/// <remarks>
/// Called by the health monitor on the control plane, one check at a time per checker.
/// Network and protocol failures are returned as failed results, never thrown; cancellation of
/// <c>cancellationToken</c> (the check's timeout or shutdown) is thrown as
/// <see cref="OperationCanceledException"/> and the monitor counts it as a timeout.
/// </remarks>
public interface IHealthChecker : IDisposable
{
    /// <summary>Runs one check.</summary>
    Task<CheckResult> CheckAsync(CancellationToken cancellationToken);
}

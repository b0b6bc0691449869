using LvsNet.Core.Health.Checkers;

namespace LvsNet.Core.Health;

/// <summary>Stands in for a checker that cannot run (via_vip without a route): every check fails with the reason.</summary>
internal sealed class FailingChecker(string reason) : IHealthChecker
{
    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(CheckResult.Failed(reason));

    public void Dispose()
    {
    }
}

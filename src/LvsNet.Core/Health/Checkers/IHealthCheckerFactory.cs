namespace LvsNet.Core.Health.Checkers;

/// <summary>Creates the checker for one resolved checker setting (tests substitute fakes).</summary>
public interface IHealthCheckerFactory
{
    /// <summary>Creates a checker probing <paramref name="target"/>.</summary>
    IHealthChecker Create(CheckerSettings settings, CheckTarget target);
}

namespace LvsNet.Core.Health.Checkers;

/// <summary>Runs the operator's notify and quorum commands (tests substitute a recorder).</summary>
public interface IHealthCommandRunner
{
    /// <summary>Runs <paramref name="command"/> with extra environment variables, killing it after <paramref name="timeout"/>.</summary>
    /// <returns>A failure description, or null when the command exited with status 0.</returns>
    Task<string?> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken);
}

namespace LvsNet.Core.Health.Checkers;

/// <summary>The outcome of one check.</summary>
/// <param name="Success">True when the server passed.</param>
/// <param name="Message">What happened ("connected", "status 503", "connection refused", "exit status 1").</param>
/// <param name="Latency">How long the network exchange took (null for MISC checks, whose duration says nothing about the server's load).</param>
/// <param name="Weight">A weight the check set (MISC_CHECK with misc_dynamic: exit code − 2), or null.</param>
/// <param name="Feedback">The agent reply a MISC check with <c>feedback</c> printed (its first output line), or null.</param>
public readonly record struct CheckResult(bool Success, string Message, TimeSpan? Latency = null, int? Weight = null, string? Feedback = null)
{
    /// <summary>A passed check.</summary>
    public static CheckResult Passed(string message, TimeSpan? latency = null, int? weight = null) => new(true, message, latency, weight);

    /// <summary>A failed check.</summary>
    public static CheckResult Failed(string message, TimeSpan? latency = null) => new(false, message, latency);
}

namespace LvsNet.Core.Health;

/// <summary>
/// One checker's verdict over time, with keepalived's semantics: an up checker that fails is
/// retried <c>retry</c> times, <c>delay_before_retry</c> apart, and goes down at the
/// (retry + 1)-th consecutive failure; a down checker comes back after <c>rise</c> consecutive
/// successes (keepalived: one). Pure: no clock, no I/O; the caller turns
/// <see cref="CheckerStep.UseRetryDelay"/> into delay_before_retry or delay_loop.
/// </summary>
/// <remarks>
/// Retries apply to an up checker only (as keepalived's MISC_CHECK and current checkers do): a
/// down checker that keeps failing is checked every delay_loop. While a down checker collects the
/// successes a rise above 1 needs, the next check comes after delay_before_retry.
/// </remarks>
public struct CheckerStateMachine
{
    /// <summary>Creates the state of a checker.</summary>
    /// <param name="retry">Retries before going down (≥ 0).</param>
    /// <param name="rise">Successes needed to come back (≥ 1).</param>
    /// <param name="startUp">The initial verdict (false with alpha).</param>
    public CheckerStateMachine(int retry, int rise, bool startUp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retry);
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        Retry = retry;
        Rise = rise;
        IsUp = startUp;
    }

    /// <summary>Retries before going down.</summary>
    public int Retry { get; }

    /// <summary>Successes needed to come back.</summary>
    public int Rise { get; }

    /// <summary>The current verdict.</summary>
    public bool IsUp { get; private set; }

    /// <summary>True once a result was recorded.</summary>
    public bool HasRun { get; private set; }

    /// <summary>Failures of an up checker not yet acted on (keepalived's <c>retry_it</c>).</summary>
    public int Failures { get; private set; }

    /// <summary>Successes of a down checker collected towards <see cref="Rise"/>.</summary>
    public int Successes { get; private set; }

    /// <summary>Records one check's result.</summary>
    public CheckerStep Record(bool success)
    {
        HasRun = true;
        if (success)
        {
            Failures = 0;
            if (IsUp)
            {
                return new CheckerStep(CheckerTransition.None, UseRetryDelay: false);
            }

            Successes++;
            if (Successes < Rise)
            {
                return new CheckerStep(CheckerTransition.None, UseRetryDelay: true);
            }

            Successes = 0;
            IsUp = true;
            return new CheckerStep(CheckerTransition.WentUp, UseRetryDelay: false);
        }

        Successes = 0;
        if (!IsUp)
        {
            return new CheckerStep(CheckerTransition.None, UseRetryDelay: false);
        }

        if (Failures < Retry)
        {
            Failures++;
            return new CheckerStep(CheckerTransition.None, UseRetryDelay: true);
        }

        Failures = 0;
        IsUp = false;
        return new CheckerStep(CheckerTransition.WentDown, UseRetryDelay: false);
    }
}

/// <summary>What one result did to a checker.</summary>
/// <param name="Transition">Whether the verdict changed.</param>
/// <param name="UseRetryDelay">True when the next check should come after delay_before_retry (a retry, or a rise in progress), false for delay_loop.</param>
public readonly record struct CheckerStep(CheckerTransition Transition, bool UseRetryDelay);

/// <summary>A change of a checker's verdict.</summary>
public enum CheckerTransition
{
    /// <summary>No change.</summary>
    None = 0,

    /// <summary>The checker came up.</summary>
    WentUp = 1,

    /// <summary>The checker went down.</summary>
    WentDown = 2,
}

namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived MISC_CHECK: runs an operator's command (through <c>/bin/sh -c</c>) with a timeout.
/// Exit 0 = up, anything else = down; with <see cref="Dynamic"/>, exit 2..255 = up with weight
/// (exit − 2) and exit 1 = down (keepalived <c>misc_dynamic</c>).
/// </summary>
/// <remarks>
/// The command sees LVSNET_SERVICE ("tcp/10.0.0.100:80"), LVSNET_VIP, LVSNET_VPORT,
/// LVSNET_RS_ADDRESS and LVSNET_RS_PORT in its environment. A command still running at the
/// timeout is killed with its children and counts as a failure.
/// </remarks>
public sealed record MiscCheckConfig : CheckerConfig
{
    /// <summary>The command line, run by <c>/bin/sh -c</c>.</summary>
    public required string Command { get; init; }

    /// <summary>keepalived <c>misc_timeout</c>: how long the command may run; null = delay_loop.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>keepalived <c>misc_dynamic</c>: exit codes 2..255 set the weight to (exit − 2).</summary>
    public bool Dynamic { get; init; }

    /// <summary>
    /// LvsNet: the first line the command prints is read as an agent reply (<c>75%</c>, <c>drain</c>,
    /// <c>ready</c>, <c>down</c>, ... as for <c>agent_check</c>) that scales the effective weight; the
    /// exit code still decides up or down.
    /// </summary>
    public bool Feedback { get; init; }

    /// <inheritdoc />
    public override string Kind => CheckerKinds.Misc;

    /// <inheritdoc />
    public override int DefaultRetry => 0;

    /// <inheritdoc />
    public override bool UsesPort => false;

    /// <inheritdoc />
    public override bool SetsWeight => Dynamic;

    /// <inheritdoc />
    public override string Describe() => $"{Kind} {Command}";
}

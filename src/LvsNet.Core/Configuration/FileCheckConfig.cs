namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived FILE_CHECK with a <c>track_file</c>: the file holds a number (as C's strtol with base
/// 0 reads it: decimal, 0x hex or 0 octal; a missing, empty or non-numeric file counts as 0).
/// With <see cref="Weight"/> 0 a non-zero value means down and 0 up (<see cref="Reverse"/> swaps
/// them). With a non-zero weight the server stays up and its weight becomes the configured weight
/// plus value × weight (negated by <see cref="Reverse"/>), clamped to 0..65535, except that a product
/// at or below the smallest 32-bit integer (keepalived's IPVS_WEIGHT_FAULT) means down.
/// </summary>
/// <remarks>keepalived watches the file with inotify; LvsNet reads it every delay_loop.</remarks>
public sealed record FileCheckConfig : CheckerConfig
{
    /// <summary>The most a track_file weight may be (IPVS_WEIGHT_MAX).</summary>
    public const int MaxWeight = 65535;

    /// <summary>keepalived track_file <c>file</c>: the absolute path of the file.</summary>
    public required string Path { get; init; }

    /// <summary>keepalived <c>weight</c>: 0 = the value is a state; otherwise its multiplier.</summary>
    public int Weight { get; init; }

    /// <summary>keepalived <c>weight … reverse</c>.</summary>
    public bool Reverse { get; init; }

    /// <inheritdoc />
    public override string Kind => CheckerKinds.File;

    /// <inheritdoc />
    public override int DefaultRetry => 0;

    /// <inheritdoc />
    public override bool UsesPort => false;

    /// <inheritdoc />
    public override bool SetsWeight => Weight != 0;

    /// <inheritdoc />
    public override string Describe() => $"{Kind} {Path}";

    /// <summary>
    /// Judges a value read from the file: up or down, and the weight for a server whose configured
    /// weight is <paramref name="configuredWeight"/> (null when <see cref="Weight"/> is 0).
    /// </summary>
    public (bool Up, int? Weight) Judge(long value, int configuredWeight)
    {
        if (Weight == 0)
        {
            return ((value == 0) != Reverse, null);
        }

        // keepalived clamps the product to an int; INT_MIN (IPVS_WEIGHT_FAULT) means down.
        var offset = value * Weight * (Reverse ? -1 : 1);
        if (offset <= int.MinValue)
        {
            return (false, null);
        }

        return (true, (int)Math.Clamp(configuredWeight + offset, 0, MaxWeight));
    }
}

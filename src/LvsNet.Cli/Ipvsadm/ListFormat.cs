namespace LvsNet.Cli.Ipvsadm;

/// <summary>The listing options of <c>ipvsadm -L</c> (and -S), as ipvsadm's FMT_* flags.</summary>
[Flags]
public enum ListFormat
{
    /// <summary>The default listing, names resolved.</summary>
    None = 0,

    /// <summary>-n: numeric addresses and ports.</summary>
    Numeric = 1 << 0,

    /// <summary>-S: rules in the -R format.</summary>
    Rule = 1 << 1,

    /// <summary>--stats: counters.</summary>
    Stats = 1 << 2,

    /// <summary>--rate: rate estimates.</summary>
    Rate = 1 << 3,

    /// <summary>--thresholds: connection thresholds.</summary>
    Thresholds = 1 << 4,

    /// <summary>--persistent-conn: persistence templates per server (and pe columns with -c).</summary>
    PersistentConnections = 1 << 5,

    /// <summary>--nosort: kernel list order instead of sorted.</summary>
    NoSort = 1 << 6,

    /// <summary>--exact: exact numbers instead of K/M/G/T.</summary>
    Exact = 1 << 7,

    /// <summary>--tun-info: tunnel details.</summary>
    TunnelInfo = 1 << 8,

    /// <summary>--health (LvsNet): every configured real server with its health state, weights and checkers.</summary>
    Health = 1 << 9,

    /// <summary>--weights (LvsNet): configured, in-force and effective weight of every configured real server.</summary>
    Weights = 1 << 10,
}

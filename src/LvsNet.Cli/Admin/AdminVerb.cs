namespace LvsNet.Cli.Admin;

/// <summary>What <c>lvsnetadm</c> was asked to do.</summary>
public enum AdminVerb
{
    /// <summary>An ipvsadm command line.</summary>
    Ipvsadm,

    /// <summary><c>lvsnetadm reload</c>.</summary>
    Reload,

    /// <summary><c>lvsnetadm status</c>.</summary>
    Status,

    /// <summary><c>lvsnetadm log-level LEVEL</c>.</summary>
    LogLevel,

    /// <summary><c>lvsnetadm export-yaml</c>.</summary>
    ExportYaml,

    /// <summary><c>lvsnetadm import FILE</c>.</summary>
    Import,

    /// <summary><c>lvsnetadm role master|backup|fault</c> (alias <c>vrrp</c>): keepalived's notify scripts call it.</summary>
    Role,
    /// <summary><c>lvsnetadm top</c>.</summary>
    Top,

    /// <summary><c>lvsnetadm drain [--timeout DURATION]</c>: withdraw the director's routes (scale-out behind ECMP).</summary>
    Drain,

    /// <summary><c>lvsnetadm undrain</c>: announce again.</summary>
    Undrain,
}

namespace LvsNet.Cli.Ipvsadm;

/// <summary>The ipvsadm commands <c>lvsnetadm</c> understands.</summary>
public enum IpvsadmCommand
{
    /// <summary>-L/-l: list (also with -c, --timeout).</summary>
    List,

    /// <summary>-S: save rules.</summary>
    Save,

    /// <summary>-R: restore rules from standard input.</summary>
    Restore,

    /// <summary>-Z: zero counters.</summary>
    Zero,

    /// <summary>-A.</summary>
    AddService,

    /// <summary>-E.</summary>
    EditService,

    /// <summary>-D.</summary>
    DeleteService,

    /// <summary>-C.</summary>
    Clear,

    /// <summary>-a.</summary>
    AddServer,

    /// <summary>-e.</summary>
    EditServer,

    /// <summary>-d.</summary>
    DeleteServer,

    /// <summary>--set.</summary>
    SetTimeouts,

    /// <summary>-P/--add-laddr (DPVS): add a FULLNAT local address.</summary>
    AddLocalAddress,

    /// <summary>-Q/--del-laddr (DPVS): delete a FULLNAT local address.</summary>
    DeleteLocalAddress,

    /// <summary>-G/--get-laddr (DPVS): list the FULLNAT local addresses.</summary>
    ListLocalAddresses,

    /// <summary>--start-daemon.</summary>
    StartDaemon,

    /// <summary>--stop-daemon.</summary>
    StopDaemon,

    /// <summary>-h.</summary>
    Help,

    /// <summary>-v.</summary>
    Version,
}

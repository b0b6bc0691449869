namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// ipvsadm's commands (its CMD_* values) as flags, so that an option row can name the set of
/// commands that allow, require or exclusively allow it in one compiler-checked value.
/// </summary>
[Flags]
internal enum ParsedCommands
{
    None = 0,
    Add = 1 << 0,
    Edit = 1 << 1,
    Delete = 1 << 2,
    Flush = 1 << 3,
    List = 1 << 4,
    AddServer = 1 << 5,
    DeleteServer = 1 << 6,
    EditServer = 1 << 7,
    Set = 1 << 8,
    StartDaemon = 1 << 9,
    StopDaemon = 1 << 10,
    Restore = 1 << 11,
    Save = 1 << 12,
    Zero = 1 << 13,
    AddLocalAddress = 1 << 14,
    DeleteLocalAddress = 1 << 15,
    GetLocalAddresses = 1 << 16,

    /// <summary>-A and -E.</summary>
    Services = Add | Edit,

    /// <summary>-a and -e.</summary>
    ServerEdits = AddServer | EditServer,

    /// <summary>-a, -e and -d.</summary>
    Servers = ServerEdits | DeleteServer,

    /// <summary>-P and -Q.</summary>
    LocalAddressEdits = AddLocalAddress | DeleteLocalAddress,
}

namespace LvsNet.Cli.Top;

/// <summary>What <c>lvsnetadm top</c> sorts the real servers (and the services) by; each has one key to press.</summary>
public enum TopSortKey
{
    /// <summary>'n': by address and port (the default, ipvsadm's order).</summary>
    Address,

    /// <summary>'c': new connections per second, highest first.</summary>
    ConnectionRate,

    /// <summary>'a': active connections, highest first.</summary>
    Active,

    /// <summary>'i': inactive connections, highest first.</summary>
    Inactive,

    /// <summary>'p': packets per second (in + out), highest first.</summary>
    PacketRate,

    /// <summary>'b': bytes per second (in + out), highest first.</summary>
    ByteRate,

    /// <summary>'s': by state, unhealthy first (down, inhibited, overloaded, ... up).</summary>
    State,

    /// <summary>'w': configured weight, highest first.</summary>
    Weight,
}

namespace LvsNet.PacketIo.AfXdp;

/// <summary>Where the XDP program runs.</summary>
public enum XdpAttachMode
{
    /// <summary>Requested only: native mode, or generic mode when the driver has no XDP support.</summary>
    Auto = 0,

    /// <summary>Native (driver) mode, XDP_FLAGS_DRV_MODE: the program runs before a socket buffer is allocated.</summary>
    Native = 1,

    /// <summary>Generic mode, XDP_FLAGS_SKB_MODE: the program runs on socket buffers; slower, works everywhere (copy mode only).</summary>
    Generic = 2,
}

namespace LvsNet.PacketIo.AfXdp;

/// <summary>How an AF_XDP socket moves frames between the driver and the UMEM.</summary>
public enum XdpSocketMode
{
    /// <summary>Requested only: try zero-copy, fall back to copy mode when the driver cannot.</summary>
    Auto = 0,

    /// <summary>Copy mode (XDP_COPY): the kernel copies each frame; works on every driver, including veth.</summary>
    Copy = 1,

    /// <summary>Zero-copy mode (XDP_ZEROCOPY): the driver DMAs into the UMEM; needs driver support.</summary>
    ZeroCopy = 2,
}

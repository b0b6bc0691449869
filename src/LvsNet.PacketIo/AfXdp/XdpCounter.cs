namespace LvsNet.PacketIo.AfXdp;

/// <summary>The indices of the XDP program's per-CPU counter map (<c>lvs_xdp_counts</c>).</summary>
internal enum XdpCounter
{
    /// <summary>Frames the program dropped because the driver holds a VLAN tag for them (see <see cref="XdpVlanMetadataCheck"/>).</summary>
    VlanTagged = 0,

    /// <summary>Frames for which the driver answered -EOPNOTSUPP: it cannot tell whether a tag was stripped.</summary>
    VlanMetadataUnsupported = 1,
}

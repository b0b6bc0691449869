namespace LvsNet.PacketIo.AfXdp;

/// <summary>What the XDP program itself counted (frames it decided about without the socket).</summary>
/// <param name="VlanTaggedDropped">
/// Frames for owned addresses (or from reply sources) the program dropped because the driver had taken a
/// VLAN tag out of them (receive VLAN offload); the data path counts the same for tags left in the frame
/// as its <c>VlanTagged</c> drop reason.
/// </param>
/// <param name="VlanMetadataUnsupported">
/// Frames for which the driver answered that it cannot report a stripped tag: while this grows, tagged
/// frames whose tag the driver stripped are not recognised.
/// </param>
public readonly record struct XdpProgramCounters(long VlanTaggedDropped, long VlanMetadataUnsupported);

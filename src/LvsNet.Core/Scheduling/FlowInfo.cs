using LvsNet.Packets;

namespace LvsNet.Core.Scheduling;

/// <summary>The fields of a new flow's first packet that schedulers may hash on.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="Source">The client address.</param>
/// <param name="SourcePort">The client port.</param>
/// <param name="Destination">The virtual address.</param>
/// <param name="DestinationPort">The virtual port.</param>
public readonly record struct FlowInfo(IpProtocol Protocol, uint Source, ushort SourcePort, uint Destination, ushort DestinationPort);

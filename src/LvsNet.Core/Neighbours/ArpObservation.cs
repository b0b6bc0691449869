using LvsNet.Packets;

namespace LvsNet.Core.Neighbours;

/// <summary>The fields of a received ARP packet that the neighbour table judges (copied out of the frame).</summary>
/// <param name="Operation">Request or reply.</param>
/// <param name="SenderMac">The sender hardware address the packet claims.</param>
/// <param name="SenderIp">The sender protocol address the packet claims.</param>
/// <param name="TargetMac">The target hardware address.</param>
/// <param name="TargetIp">The target protocol address.</param>
public readonly record struct ArpObservation(ArpOperation Operation, MacAddress SenderMac, uint SenderIp, MacAddress TargetMac, uint TargetIp)
{
    /// <summary>Copies the fields of <paramref name="arp"/>.</summary>
    public static ArpObservation From(ArpPacket arp) => new(arp.Operation, arp.SenderMac, arp.SenderIp, arp.TargetMac, arp.TargetIp);
}

using System.Buffers.Binary;
using LvsNet.Core.Neighbours;
using LvsNet.PacketIo;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath;

/// <summary>The capture thread's way out: sends frames, counts them and copies them to an optional tap.</summary>
public sealed class FrameTransmitter : IFrameSender
{
    private readonly IInjectionDevice _device;
    private readonly IFrameTap? _tap;
    private readonly ushort _vlan;

    // Where a frame gets its 802.1Q tag (allocated only when a VLAN is configured).
    private readonly byte[] _tagged;

    /// <summary>Creates the transmitter.</summary>
    /// <param name="device">Where frames leave.</param>
    /// <param name="tap">An optional copy of every frame sent (as it leaves, tag included).</param>
    /// <param name="vlan">The director's VLAN (<c>director.vlan</c>): every frame sent is tagged with it; 0 sends untagged frames.</param>
    public FrameTransmitter(IInjectionDevice device, IFrameTap? tap = null, ushort vlan = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vlan, (ushort)4094);
        _device = device;
        _tap = tap;
        _vlan = vlan;
        _tagged = vlan == 0 ? [] : new byte[DeviceConfiguration.MaximumSnapLength + EthernetHeader.VlanTagLength];
    }

    /// <summary>Frames sent.</summary>
    public long Sent { get; private set; }

    /// <summary>Frames the kernel refused.</summary>
    public long Failed { get; private set; }

    /// <summary>ARP frames among <see cref="Sent"/> (so the data path can tell the IPv4 frames a neighbour table releases from its probes).</summary>
    public long ArpSent { get; private set; }

    /// <summary>ARP frames among <see cref="Failed"/>.</summary>
    public long ArpFailed { get; private set; }

    /// <summary>Sends one frame; false when the kernel refused it.</summary>
    public bool Send(ReadOnlySpan<byte> frame)
    {
        var arp = IsArp(frame);
        var wire = _vlan == 0 ? frame : Tag(frame);
        if (!_device.Send(wire))
        {
            Failed++;
            ArpFailed += arp ? 1 : 0;
            return false;
        }

        Sent++;
        ArpSent += arp ? 1 : 0;
        _tap?.OnSent(wire);
        return true;
    }

    /// <summary>
    /// Sends what a batching device has staged (one system call for the batch); nothing for devices
    /// that send each frame at once. Called by the capture thread after each batch and before it blocks.
    /// </summary>
    /// <remarks>
    /// Nothing is queued here: <see cref="Send"/> hands each frame to the device straight away (frames
    /// held while a neighbour resolves live in the neighbour table and also leave through <see cref="Send"/>).
    /// A frame the kernel refuses at flush time is counted by the device (<see cref="IInjectionDevice.SendFailures"/>), not in <see cref="Failed"/>.
    /// </remarks>
    public void Flush() => _device.Flush();

    // The MACs, the tag (TPID 0x8100, priority 0, the VLAN id), then the frame's EtherType and payload.
    private ReadOnlySpan<byte> Tag(ReadOnlySpan<byte> frame)
    {
        const int Macs = 12;
        if (frame.Length < Macs || frame.Length > _tagged.Length - EthernetHeader.VlanTagLength)
        {
            return frame;
        }

        frame[..Macs].CopyTo(_tagged);
        BinaryPrimitives.WriteUInt16BigEndian(_tagged.AsSpan(Macs), (ushort)EtherType.Vlan);
        BinaryPrimitives.WriteUInt16BigEndian(_tagged.AsSpan(Macs + 2), _vlan);
        frame[Macs..].CopyTo(_tagged.AsSpan(Macs + EthernetHeader.VlanTagLength));
        return _tagged.AsSpan(0, frame.Length + EthernetHeader.VlanTagLength);
    }

    // The EtherType of an untagged frame (a tagged one is never ARP from this director).
    private static bool IsArp(ReadOnlySpan<byte> frame) => frame.Length > 13 && frame[12] == 0x08 && frame[13] == 0x06;
}

using LvsNet.Core.Neighbours;
using LvsNet.PacketIo;

namespace LvsNet.Core.DataPath;

/// <summary>The capture thread's way out: sends frames, counts them and copies them to an optional tap.</summary>
public sealed class FrameTransmitter : IFrameSender
{
    private readonly IInjectionDevice _device;
    private readonly IFrameTap? _tap;

    /// <summary>Creates the transmitter.</summary>
    public FrameTransmitter(IInjectionDevice device, IFrameTap? tap = null)
    {
        _device = device;
        _tap = tap;
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
        if (!_device.Send(frame))
        {
            Failed++;
            ArpFailed += IsArp(frame) ? 1 : 0;
            return false;
        }

        Sent++;
        ArpSent += IsArp(frame) ? 1 : 0;
        _tap?.OnSent(frame);
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

    // The EtherType of an untagged frame (a tagged one is never ARP from this director).
    private static bool IsArp(ReadOnlySpan<byte> frame) => frame.Length > 13 && frame[12] == 0x08 && frame[13] == 0x06;
}

namespace LvsNet.PacketIo;

/// <summary>Receives captured frames, one call per frame, on the thread that reads the device.</summary>
/// <remarks>
/// The span is only valid for the duration of the call (it points into libpcap's ring or a
/// reused buffer). Implementations must not throw: a frame that cannot be handled is counted
/// and dropped by the handler itself.
/// </remarks>
public interface IFrameHandler
{
    /// <summary>Handles one captured frame.</summary>
    /// <param name="frame">The captured bytes, starting at the Ethernet header.</param>
    /// <param name="wireLength">The frame's length on the wire (may exceed <paramref name="frame"/>'s length when the snap length truncated it).</param>
    void OnFrame(ReadOnlySpan<byte> frame, int wireLength);
}

namespace LvsNet.PacketIo;

/// <summary>Sends whole Ethernet frames on an interface.</summary>
/// <remarks>Used by one thread at a time; it never shares a native handle with a capture device.</remarks>
public interface IInjectionDevice : IDisposable
{
    /// <summary>The interface name.</summary>
    string Name { get; }

    /// <summary>Sends one frame, or stages it for the next <see cref="Flush"/> on a batching device.</summary>
    /// <returns><see langword="true"/> when the kernel accepted (or the device staged) the frame; <see langword="false"/> when it refused it (for example EMSGSIZE), counted by the device.</returns>
    bool Send(ReadOnlySpan<byte> frame);

    /// <summary>Frames that the kernel refused to send.</summary>
    long SendFailures { get; }

    /// <summary>
    /// Sends frames that <see cref="Send"/> has staged. Devices that send each frame at once (the
    /// libpcap ones) have nothing to do; batching devices send their whole batch with one system call.
    /// </summary>
    /// <remarks>The capture loop calls it after every batch and before it blocks, so no frame waits for the next packet.</remarks>
    void Flush()
    {
    }
}

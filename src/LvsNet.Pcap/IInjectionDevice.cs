namespace LvsNet.Pcap;

/// <summary>Sends whole Ethernet frames on an interface.</summary>
/// <remarks>Used by one thread at a time; it never shares a native handle with a capture device.</remarks>
public interface IInjectionDevice : IDisposable
{
    /// <summary>The interface name.</summary>
    string Name { get; }

    /// <summary>Sends one frame.</summary>
    /// <returns><see langword="true"/> when the kernel accepted the frame; <see langword="false"/> when it refused it (for example EMSGSIZE), counted by the device.</returns>
    bool Send(ReadOnlySpan<byte> frame);

    /// <summary>Frames that the kernel refused to send.</summary>
    long SendFailures { get; }
}

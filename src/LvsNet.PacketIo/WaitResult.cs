namespace LvsNet.PacketIo;

/// <summary>Why <see cref="ICaptureDevice.Wait"/> returned.</summary>
public enum WaitResult
{
    /// <summary>The timeout passed with nothing to read.</summary>
    Timeout = 0,

    /// <summary>Frames may be ready to read.</summary>
    Readable = 1,

    /// <summary><see cref="ICaptureDevice.Wake"/> was called.</summary>
    Woken = 2,
}

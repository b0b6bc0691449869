using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>
/// Sends whole Ethernet frames on an interface in batches: each <see cref="Send"/> stages the frame,
/// and <see cref="Flush"/> (or a full batch) sends them all with one sendmmsg(2) on a packet socket that
/// receives nothing. The libpcap backend's way out: libpcap itself sends one frame per system call.
/// </summary>
/// <remarks>
/// <para>
/// The socket is bound to the interface with protocol 0, so the kernel registers no receive hook for it:
/// unlike a libpcap handle used only for sending, it costs nothing per frame that arrives on or leaves the
/// interface. The kernel takes each frame's protocol from its Ethernet header. Frames go through the
/// interface's queueing discipline, as libpcap's do; the socket blocks, so a full send buffer makes the
/// flush wait briefly instead of dropping.
/// </para>
/// <para>
/// Thread contract: one thread calls <see cref="Send"/> and <see cref="Flush"/> (the capture loop flushes
/// after every batch and before it blocks); <see cref="SendFailures"/> may be read from any thread. Frames
/// still staged at <see cref="Dispose"/> are discarded. Nothing is allocated per frame.
/// </para>
/// </remarks>
public sealed class PacketSocketSender : IInjectionDevice
{
    private readonly PacketSocketHandle _socket;
    private readonly SendBatch _batch;
    private int _disposed;

    /// <summary>Opens the socket on <paramref name="interfaceName"/> and maps the staging slots.</summary>
    /// <param name="interfaceName">The interface to send on.</param>
    /// <param name="batchSize">Frames staged before a batch is sent without waiting for <see cref="Flush"/> (1–1024).</param>
    /// <param name="frameSizeBytes">The largest frame accepted (60–65536).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    /// <exception cref="PcapException">A step failed (no such interface, no CAP_NET_RAW); the message names it.</exception>
    public unsafe PacketSocketSender(string interfaceName, int batchSize = AfPacketOptions.DefaultTransmitBatchSize, int frameSizeBytes = AfPacketOptions.DefaultTransmitFrameSizeBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSizeBytes, 60);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameSizeBytes, 65536);
        PcapLibrary.EnsureInitialized();
        Name = interfaceName;
        var index = (int)Interop.Libc.if_nametoindex(interfaceName);
        if (index == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new PcapException($"if_nametoindex failed on '{interfaceName}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", "if_nametoindex", errno);
        }

        _socket = PacketSocketHandle.Create();
        try
        {
            // Protocol 0 in the address as well: bound to the interface for sending, no receive hook.
            var address = new Interop.Libc.SockAddrLl
            {
                Family = Interop.Libc.AF_PACKET,
                Protocol = 0,
                InterfaceIndex = index,
            };
            if (Interop.Libc.bind(_socket, &address, (uint)sizeof(Interop.Libc.SockAddrLl)) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new PcapException($"bind failed on '{interfaceName}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", "bind", errno);
            }

            _batch = new SendBatch(batchSize, frameSizeBytes);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long SendFailures => _batch.Failures;

    /// <summary>Frames the kernel accepted.</summary>
    public long Sent => _batch.Sent;

    /// <summary>sendmmsg(2) calls made (one per flushed batch, more only when a frame in a batch was refused).</summary>
    public long SendCalls => _batch.Calls;

    /// <summary>Frames staged and not yet flushed.</summary>
    public int PendingFrames => _batch.Staged;

    /// <summary>The errno of the most recently refused frame (0 when none); read it on the sending thread.</summary>
    public int LastSendErrno => _batch.LastErrno;

    /// <inheritdoc/>
    /// <remarks>
    /// Copies <paramref name="frame"/> into the next staging slot; <see langword="true"/> means staged (a full
    /// batch is sent at once). A frame larger than a slot returns <see langword="false"/>; frames the kernel
    /// refuses at flush (e.g. EMSGSIZE) are counted in <see cref="SendFailures"/>.
    /// </remarks>
    public bool Send(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_batch.Stage(frame))
        {
            return false;
        }

        if (_batch.IsFull)
        {
            Flush();
        }

        return true;
    }

    /// <inheritdoc/>
    public void Flush()
    {
        if (_batch.Staged == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _batch.Flush(_socket);
    }

    /// <summary>Discards staged frames and closes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _batch.Dispose();
            _socket.Dispose();
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LvsNet.PacketIo.Bpf;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>
/// Captures and sends frames on one interface through an AF_PACKET socket: a memory-mapped receive ring
/// (TPACKET_V2 frame slots or TPACKET_V3 blocks, <see cref="AfPacketOptions.RingVersion"/>) read in place,
/// and batched transmit with one sendmmsg(2) per batch.
/// </summary>
/// <remarks>
/// <para>
/// Thread contract: one thread owns the device and is the only caller of <see cref="Dispatch"/>,
/// <see cref="Wait"/>, <see cref="Send"/>, <see cref="Flush"/> and <see cref="GetStatistics"/>.
/// <see cref="Wake"/> and <see cref="Dispose"/> may be called from any thread; the socket and the
/// mappings are only released once the owning thread has left the call that uses them. Unlike the
/// libpcap devices, receive and send share the socket: both run on the owning thread, and the kernel
/// never loops a packet socket's own transmissions back to it.
/// </para>
/// <para>
/// Receiving, TPACKET_V2 (the default): the kernel hands each frame over as it arrives and wakes the reader;
/// <see cref="Dispatch"/> hands every ready frame to the handler as a span into the ring (no copy) and
/// returns its slot to the kernel after the handler. TPACKET_V3: the kernel fills blocks of the ring and
/// hands a block over when it is full or when <see cref="AfPacketOptions.BlockTimeout"/> passes;
/// <see cref="Dispatch"/> returns a block to the kernel once its last frame has been handed over. Only inbound frames are delivered (PACKET_IGNORE_OUTGOING, and frames marked
/// PACKET_OUTGOING are skipped as well).
/// </para>
/// <para>
/// Sending: <see cref="Send"/> copies the frame into a pre-mapped staging slot; the staged frames go out
/// with one sendmmsg(2) when <see cref="AfPacketOptions.TransmitBatchSize"/> are staged or when
/// <see cref="Flush"/> is called. The capture loop must call <see cref="Flush"/> after each batch and
/// before it blocks. Frames still staged at <see cref="Dispose"/> are discarded.
/// </para>
/// <para>Non-goals: VLAN tag reinsertion (the kernel strips tags into metadata), timestamps, a TX ring.</para>
/// </remarks>
public sealed unsafe partial class AfPacketDevice : ICaptureDevice, IInjectionDevice
{
    private readonly PacketSocketHandle _socket;
    private readonly MappedMemoryHandle _ring;
    private readonly SendBatch _transmit;
    private readonly EventFdHandle _wakeEvent;
    private readonly int _blockSize;
    private readonly int _blockCount;
    private int _disposed;

    // Receive position (TPACKET_V3: the block being read, the frames left in it and the next frame's offset;
    // TPACKET_V2: _block and _frameOffset are the block and the offset of the next frame slot, _framesLeft
    // the slots left in that block).
    private readonly long _busyPollTicks;
    private readonly bool _perFrameRing;
    private readonly int _frameSize;
    // Where a frame whose 802.1Q tag the kernel took out gets it back (see WithVlanTag).
    private readonly byte[] _vlanFrame = new byte[DeviceConfiguration.MaximumSnapLength + VlanTagLength];
    private readonly int _framesPerBlock;
    private int _block;
    private int _framesLeft;
    private int _frameOffset;

    private CaptureStatistics _statistics;

    /// <summary>Opens the socket, maps the ring, attaches the filter, binds to the interface and joins the fanout group.</summary>
    /// <param name="options">The interface and options.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="PcapException">A step failed (no such interface, no CAP_NET_RAW, bad filter, ...); the message names the step and the errno text.</exception>
    public AfPacketDevice(AfPacketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        PcapLibrary.EnsureInitialized();
        if (sizeof(Interop.Libc.MMsgHdr) != 64 || sizeof(Interop.Libc.SockAddrLl) != 20 || sizeof(Interop.Libc.SockFprog) != 16)
        {
            throw new PlatformNotSupportedException("AfPacketDevice supports 64-bit Linux only (struct mmsghdr must be 64 bytes).");
        }

        Options = options;
        _blockSize = options.BlockSizeBytes;
        _blockCount = options.BlockCount;
        _busyPollTicks = BusyPoll.ToTicks(options.BusyPollTime);
        _perFrameRing = options.RingVersion == AfPacketRingVersion.V2;
        _frameSize = options.FrameSizeBytes;
        _framesPerBlock = _blockSize / _frameSize;
        _framesLeft = _perFrameRing ? _framesPerBlock : 0;

        var interfaceIndex = (int)Interop.Libc.if_nametoindex(options.InterfaceName);
        if (interfaceIndex == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new PcapException(
                $"if_nametoindex failed on '{options.InterfaceName}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})",
                "if_nametoindex",
                errno);
        }

        InterfaceIndex = interfaceIndex;
        _socket = PacketSocketHandle.Create();
        try
        {
            SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_VERSION, (int)options.RingVersion, "PACKET_VERSION");
            var request = new Interop.Libc.TPacketReq3
            {
                BlockSize = (uint)_blockSize,
                BlockCount = (uint)_blockCount,
                FrameSize = (uint)options.FrameSizeBytes,
                FrameCount = (uint)(_blockSize / options.FrameSizeBytes * _blockCount),
                RetireBlockTimeoutMilliseconds = _perFrameRing ? 0 : (uint)Math.Ceiling(options.BlockTimeout.TotalMilliseconds),
            };

            // TPACKET_V2 reads only the first four fields (struct tpacket_req); the longer length is accepted.
            SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_RX_RING, &request, (uint)sizeof(Interop.Libc.TPacketReq3), "PACKET_RX_RING");
            _ring = MappedMemoryHandle.MapSocket(_socket, (nuint)options.RingSizeBytes);

            _transmit = new SendBatch(options.TransmitBatchSize, options.TransmitFrameSizeBytes);

            if (options.Filter is not null)
            {
                AttachFilter(options.Filter);
            }

            // Linux 4.20+; on older kernels the PACKET_OUTGOING check in Dispatch does the same job.
            var ignoreOutgoing = 1;
            IgnoresOutgoingInKernel = Interop.Libc.setsockopt(_socket, Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_IGNORE_OUTGOING, &ignoreOutgoing, sizeof(int)) == 0;

            if (options.QdiscBypass)
            {
                SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }

            var address = new Interop.Libc.SockAddrLl
            {
                Family = Interop.Libc.AF_PACKET,
                Protocol = BinaryPrimitives.ReverseEndianness(Interop.Libc.ETH_P_ALL),
                InterfaceIndex = interfaceIndex,
            };
            if (Interop.Libc.bind(_socket, &address, (uint)sizeof(Interop.Libc.SockAddrLl)) != 0)
            {
                throw FromErrno("bind");
            }

            if (options.Promiscuous)
            {
                var membership = new Interop.Libc.PacketMreq { InterfaceIndex = interfaceIndex, Type = Interop.Libc.PACKET_MR_PROMISC };
                SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_ADD_MEMBERSHIP, &membership, (uint)sizeof(Interop.Libc.PacketMreq), "PACKET_ADD_MEMBERSHIP");
            }

            // The kernel only accepts PACKET_FANOUT on a bound (running) socket.
            if (options.FanoutGroupId is { } group)
            {
                SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_FANOUT, group | ((int)options.FanoutMode << 16), "PACKET_FANOUT");
            }

            _wakeEvent = EventFdHandle.Create();
        }
        catch
        {
            _transmit?.Dispose();
            _ring?.Dispose();
            _socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc cref="ICaptureDevice.Name"/>
    public string Name => Options.InterfaceName;

    /// <summary>The options the device was opened with (all in effect).</summary>
    public AfPacketOptions Options { get; }

    /// <summary>The interface index the socket is bound to.</summary>
    public int InterfaceIndex { get; }

    /// <summary>Whether the kernel accepted PACKET_IGNORE_OUTGOING (otherwise outgoing frames are skipped in <see cref="Dispatch"/>).</summary>
    public bool IgnoresOutgoingInKernel { get; }

    /// <inheritdoc/>
    public long SendFailures => _transmit.Failures;

    /// <summary>Frames the kernel accepted.</summary>
    public long Sent => _transmit.Sent;

    /// <summary>sendmmsg(2) calls made (one per flushed batch, more only when a frame in a batch was refused).</summary>
    public long SendCalls => _transmit.Calls;

    /// <summary>Frames staged and not yet flushed.</summary>
    public int PendingFrames => _transmit.Staged;

    /// <summary>The errno of the most recent refused frame (0 when none was refused); read it on the owning thread.</summary>
    public int LastSendErrno => _transmit.LastErrno;

    /// <inheritdoc/>
    /// <remarks>
    /// Returns <see cref="WaitResult.Readable"/> at once when the current slot or block is already in user space,
    /// or when it becomes so within <see cref="AfPacketOptions.BusyPollTime"/>; otherwise poll(2) on the socket and the wake-up eventfd, with the same rules as
    /// <see cref="LiveCaptureDevice.Wait"/>. Staged frames are not flushed here; the caller flushes first.
    /// </remarks>
    public WaitResult Wait(TimeSpan timeout)
    {
        var timeoutMilliseconds = EventFdHandle.ToPollTimeout(timeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var socketAdded = false;
        var ringAdded = false;
        try
        {
            _socket.DangerousAddRef(ref socketAdded);
            _ring.DangerousAddRef(ref ringAdded);
            if (IsReadable(_ring.Address) || (_busyPollTicks != 0 && timeoutMilliseconds != 0 && BusyPollRing(_ring.Address)))
            {
                return WaitResult.Readable;
            }

            return _wakeEvent.WaitWith(_socket.FileDescriptor, timeoutMilliseconds);
        }
        finally
        {
            if (ringAdded)
            {
                _ring.DangerousRelease();
            }

            if (socketAdded)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Adds one to the eventfd counter. Safe from any thread, also during or after <see cref="Dispose"/> (then it does nothing).</remarks>
    public void Wake() => _wakeEvent.Signal();

    /// <inheritdoc/>
    /// <remarks>
    /// Copies <paramref name="frame"/> into the next staging slot; <see langword="true"/> means staged. When the
    /// batch is full it is sent at once. A frame larger than <see cref="AfPacketOptions.TransmitFrameSizeBytes"/>
    /// returns <see langword="false"/>; frames the kernel refuses when the batch is sent (e.g. EMSGSIZE) are
    /// counted in <see cref="SendFailures"/>. Nothing is allocated.
    /// </remarks>
    public bool Send(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_transmit.Stage(frame))
        {
            return false;
        }

        if (_transmit.IsFull)
        {
            Flush();
        }

        return true;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One sendmmsg(2) for all staged frames. When the kernel refuses a frame, sendmmsg stops there: the
    /// frame is counted as failed and the rest of the batch is sent with another call. The socket blocks,
    /// so a full socket send buffer makes the call wait briefly instead of dropping.
    /// </remarks>
    public void Flush()
    {
        if (_transmit.Staged == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _transmit.Flush(_socket);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// PACKET_STATISTICS resets the kernel's counters on every read; this method accumulates them, so the
    /// result counts everything since the socket was opened. <see cref="CaptureStatistics.Received"/> includes
    /// dropped frames, as with libpcap.
    /// </remarks>
    /// <exception cref="PcapException">getsockopt failed.</exception>
    public CaptureStatistics GetStatistics()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interop.Libc.TPacketStatsV3 stats;
        var length = (uint)sizeof(Interop.Libc.TPacketStatsV3);
        if (Interop.Libc.getsockopt(_socket, Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_STATISTICS, &stats, &length) != 0)
        {
            throw FromErrno("getsockopt(PACKET_STATISTICS)");
        }

        _statistics = new CaptureStatistics(_statistics.Received + stats.Packets, _statistics.Dropped + stats.Drops, _statistics.InterfaceDropped);
        return _statistics;
    }

    /// <summary>Wakes a blocked <see cref="Wait"/>, discards staged frames and closes the socket and the mappings.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Wake();
        _ring.Dispose();
        _transmit.Dispose();
        _socket.Dispose();
        _wakeEvent.Dispose();
    }

    /// <summary>The socket's descriptor number (for tests that check it is closed).</summary>
    internal int SocketDescriptor => _socket.FileDescriptor;

    /// <summary>Whether <paramref name="frame"/> points into the receive ring (for tests that check frames are not copied).</summary>
    internal bool IsInRing(ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
        {
            var start = _ring.Address;
            return data >= start && data + frame.Length <= start + Options.RingSizeBytes;
        }
    }

    private void AttachFilter(string filter)
    {
        using var pcap = Interop.Pcap.pcap_open_dead(Interop.Pcap.LinkTypeEthernet, DeviceConfiguration.MaximumSnapLength);
        if (pcap.IsInvalid)
        {
            throw new PcapException("pcap_open_dead failed.", "pcap_open_dead", Interop.Pcap.Error);
        }

        using var program = new BpfProgramHandle();
        if (PcapLibrary.Compile(pcap, program, filter) != 0)
        {
            throw PcapException.FromStatus("pcap_compile", Name, Interop.Pcap.Error, PcapLibrary.GetError(pcap) + " (filter: " + filter + ")");
        }

        var added = false;
        try
        {
            program.DangerousAddRef(ref added);
            var compiled = (Interop.Pcap.BpfProgram*)program.DangerousGetHandle();
            var fprog = new Interop.Libc.SockFprog { Length = (ushort)compiled->Length, Filter = compiled->Instructions };
            SetOption(Interop.Libc.SOL_SOCKET, Interop.Libc.SO_ATTACH_FILTER, &fprog, (uint)sizeof(Interop.Libc.SockFprog), "SO_ATTACH_FILTER");
        }
        finally
        {
            if (added)
            {
                program.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sets the program of a <see cref="AfPacketFanoutMode.ClassicBpf"/> fanout group (it applies to
    /// every socket of the group, and replaces the previous one at once).
    /// </summary>
    /// <exception cref="ArgumentException">The program is empty or longer than the kernel accepts.</exception>
    /// <exception cref="PcapException">The kernel refused it (not a CBPF group, or an invalid program).</exception>
    public void SetFanoutProgram(ReadOnlySpan<ClassicBpfInstruction> program)
    {
        if (program.IsEmpty || program.Length > ClassicBpfInstruction.MaxInstructions)
        {
            throw new ArgumentException($"a fanout program has 1 to {ClassicBpfInstruction.MaxInstructions} instructions, got {program.Length}", nameof(program));
        }

        fixed (ClassicBpfInstruction* instructions = program)
        {
            var fprog = new Interop.Libc.SockFprog { Length = (ushort)program.Length, Filter = (nint)instructions };
            SetOption(Interop.Libc.SOL_PACKET, Interop.Libc.PACKET_FANOUT_DATA, &fprog, (uint)sizeof(Interop.Libc.SockFprog), "PACKET_FANOUT_DATA");
        }
    }

    private void SetOption(int level, int name, int value, string step) => SetOption(level, name, &value, sizeof(int), step);

    private void SetOption(int level, int name, void* value, uint length, string step)
    {
        if (Interop.Libc.setsockopt(_socket, level, name, value, length) != 0)
        {
            throw FromErrno("setsockopt(" + step + ")");
        }
    }

    private PcapException FromErrno(string step)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new PcapException($"{step} failed on '{Name}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", step, errno);
    }

}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

/// <summary>
/// Receives and sends frames on one interface queue through an AF_XDP socket, with an XDP program that
/// redirects only the traffic of the addresses the daemon owns (ARP for them, IPv4 and IPv6 to them, and
/// the neighbour discovery for them) and, optionally, IPv4 and IPv6 from NAT real servers, to the socket,
/// and passes everything else to the kernel.
/// </summary>
/// <remarks>
/// <para>
/// Thread contract: one thread owns the device and is the only caller of <see cref="Dispatch"/>,
/// <see cref="Wait"/>, <see cref="Send"/>, <see cref="Flush"/> and <see cref="GetStatistics"/> (the
/// rings are single-producer single-consumer). <see cref="Wake"/> and <see cref="SetAddresses(IReadOnlyCollection{uint}, IReadOnlyCollection{uint}, IReadOnlyCollection{uint})"/> may be
/// called from any thread. <see cref="Dispose"/> may be called from any thread: it detaches the program
/// at once and wakes a blocked <see cref="Wait"/>; the socket and its memory are released when the owning
/// thread has left the call that uses them.
/// </para>
/// <para>
/// Everything is set up with plain system calls (bpf(2), socket, setsockopt, mmap, bind); no libbpf or
/// libxdp is needed. See docs/designs/afxdp-backend.md for the program, the maps, the ring sizes and the
/// failure modes.
/// </para>
/// <para>
/// Non-goals: several queues per device (create one device per queue), shared UMEM, multi-buffer
/// (jumbo) frames, VLANs (tagged frames for owned addresses are dropped and counted, see
/// <see cref="XdpVlanMetadataCheck"/>), walking IPv6 extension headers in the program (see <see cref="XdpIpv6Filter"/>).
/// </para>
/// </remarks>
public sealed partial class AfXdpDevice : IJointWaitCaptureDevice, IInjectionDevice
{
    /// <summary>ENOENT: deleting an address that is already gone is not an error.</summary>
    private const int Enoent = 2;

    private readonly int _interfaceIndex;
    private readonly ushort _vlan;
    private readonly int _frameSize;
    private readonly int _transmitBatchSize;
    private readonly long _busyPollTicks;
    private readonly int _maxAddresses;
    private readonly EventFdHandle _wakeEvent;
    private readonly FileDescriptorHandle _addressMap;
    private readonly FileDescriptorHandle _address6Map;
    private readonly FileDescriptorHandle _xskMap;
    private FileDescriptorHandle _program;
    private readonly FileDescriptorHandle _link;
    private readonly Dictionary<uint, uint> _addresses = [];
    private readonly Lock _addressLock = new();
    private XskSocketHandle _socket = null!;
    private unsafe byte* _umem;
    private XdpRing _rx;
    private XdpRing _tx;
    private XdpRing _fill;
    private XdpRing _completion;
    private int _disposed;

    /// <summary>Sets up maps, program, UMEM, rings and socket, and attaches the program to the interface.</summary>
    /// <param name="options">The interface, queue, sizes and modes.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="XdpException">
    /// The kernel refused a step (no such interface, EPERM without CAP_BPF/CAP_NET_ADMIN, the verifier, a
    /// program already attached, zero-copy demanded but unsupported); the message names the step and says
    /// that the pcap or afpacket backend is the fallback. Nothing stays attached or open after a failure.
    /// </exception>
    public AfXdpDevice(AfXdpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
        _frameSize = options.FrameSizeBytes;
        _transmitBatchSize = options.TransmitBatchSize;
        _busyPollTicks = BusyPoll.ToTicks(options.BusyPollTime);
        _maxAddresses = options.MaxAddresses;

        var index = Interop.Libc.if_nametoindex(options.InterfaceName);
        if (index == 0)
        {
            throw XdpException.FromErrno($"if_nametoindex('{options.InterfaceName}')", Marshal.GetLastPInvokeError());
        }

        _interfaceIndex = (int)index;
        _vlan = options.Vlan;
        var created = new List<IDisposable>();
        try
        {
            _wakeEvent = EventFdHandle.Create();
            created.Add(_wakeEvent);
            _addressMap = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, sizeof(uint), sizeof(uint), (uint)options.MaxAddresses, "lvs_addresses");
            created.Add(_addressMap);
            _address6Map = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 16, sizeof(uint), (uint)options.MaxAddresses, "lvs_addresses6");
            created.Add(_address6Map);
            _xskMap = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_XSKMAP, sizeof(uint), sizeof(uint), (uint)options.QueueId + 1, "lvs_xsks");
            created.Add(_xskMap);
            SetAddresses(options.Addresses, options.ReplySourceAddresses, options.HostAddresses);
            SetAddresses6(options.Addresses6);

            _counterMap = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint), sizeof(ulong), 2, "lvs_xdp_counts");
            created.Add(_counterMap);
            _program = LoadProgram(options);
            SocketMode = OpenSocket(options);
            created.Add(_socket);
            RegisterSocket(options.QueueId);
            (_link, AttachMode) = Attach(options);
        }
        catch
        {
            // The program is disposed apart: the attach step may have replaced it.
            _program?.Dispose();
            for (var i = created.Count - 1; i >= 0; i--)
            {
                created[i].Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc cref="ICaptureDevice.Name"/>
    public string Name => Options.InterfaceName;

    /// <summary>The options the device was opened with.</summary>
    public AfXdpOptions Options { get; }

    /// <summary>The socket mode in effect: <see cref="XdpSocketMode.ZeroCopy"/> or <see cref="XdpSocketMode.Copy"/>.</summary>
    public XdpSocketMode SocketMode { get; }

    /// <summary>The attach mode in effect: <see cref="XdpAttachMode.Native"/> or <see cref="XdpAttachMode.Generic"/>.</summary>
    public XdpAttachMode AttachMode { get; }

    /// <summary>
    /// Replaces the set of owned IPv4 addresses: ARP for them and IPv4 to them is redirected to this
    /// device; everything else goes to the kernel. Clears any reply sources and host addresses.
    /// </summary>
    /// <param name="addresses">
    /// Addresses as the data path holds them: the four octets read big-endian, first octet in the most
    /// significant byte (10.0.0.1 is 0x0A000001, as <c>BinaryPrimitives.ReadUInt32BigEndian</c> over the
    /// header gives it).
    /// </param>
    /// <exception cref="ArgumentException">More than <see cref="AfXdpOptions.MaxAddresses"/> distinct addresses.</exception>
    /// <exception cref="XdpException">The kernel refused a map update (the set may then be partly applied; calling again retries).</exception>
    public void SetAddresses(IReadOnlyCollection<uint> addresses) => SetAddresses(addresses, [], []);

    /// <summary>
    /// Replaces the address sets the program redirects by: <paramref name="owned"/> (ARP for them and IPv4
    /// to them), <paramref name="replySources"/> (IPv4 from them, e.g. NAT real servers whose replies are
    /// addressed to clients) unless addressed to one of <paramref name="hostAddresses"/> (the host's own
    /// addresses, whose traffic, such as health-check replies, stays with the kernel).
    /// </summary>
    /// <remarks>
    /// All addresses in the data path's form (see <see cref="SetAddresses(IReadOnlyCollection{uint})"/>).
    /// The BPF hash map is updated in place: removed addresses first, then new or changed ones, so an
    /// address present in both the old and the new sets is never missing, and the map never exceeds its
    /// size. Safe from any thread (calls are serialised); the program sees each element change atomically.
    /// </remarks>
    /// <exception cref="ArgumentException">More than <see cref="AfXdpOptions.MaxAddresses"/> distinct addresses in all three sets.</exception>
    /// <exception cref="XdpException">The kernel refused a map update (the sets may then be partly applied; calling again retries).</exception>
    public void SetAddresses(IReadOnlyCollection<uint> owned, IReadOnlyCollection<uint> replySources, IReadOnlyCollection<uint> hostAddresses)
    {
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(replySources);
        ArgumentNullException.ThrowIfNull(hostAddresses);
        var wanted = new Dictionary<uint, uint>();
        AddFlags(wanted, owned, XdpAddressFilterProgram.Owned);
        AddFlags(wanted, replySources, XdpAddressFilterProgram.ReplySource);
        AddFlags(wanted, hostAddresses, XdpAddressFilterProgram.Host);
        if (wanted.Count > _maxAddresses)
        {
            throw new ArgumentException($"{wanted.Count} distinct addresses exceed the map size of {_maxAddresses} (AfXdpOptions.MaxAddresses).", nameof(owned));
        }

        lock (_addressLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            foreach (var address in _addresses.Keys.ToArray())
            {
                if (!wanted.ContainsKey(address))
                {
                    var errno = BpfSystem.DeleteElement(_addressMap, ToMapKey(address));
                    if (errno != 0 && errno != Enoent)
                    {
                        throw XdpException.FromErrno("bpf(BPF_MAP_DELETE_ELEM, lvs_addresses)", errno);
                    }

                    _addresses.Remove(address);
                }
            }

            foreach (var (address, flags) in wanted)
            {
                if (!_addresses.TryGetValue(address, out var current) || current != flags)
                {
                    var errno = BpfSystem.UpdateElement(_addressMap, ToMapKey(address), flags);
                    if (errno != 0)
                    {
                        throw XdpException.FromErrno("bpf(BPF_MAP_UPDATE_ELEM, lvs_addresses)", errno);
                    }

                    _addresses[address] = flags;
                }
            }
        }
    }

    /// <summary>A copy of the current owned addresses (in the form <see cref="SetAddresses(IReadOnlyCollection{uint})"/> takes).</summary>
    public IReadOnlyCollection<uint> GetAddresses()
    {
        lock (_addressLock)
        {
            var result = new List<uint>();
            foreach (var (address, flags) in _addresses)
            {
                if ((flags & XdpAddressFilterProgram.Owned) != 0)
                {
                    result.Add(address);
                }
            }

            return result;
        }
    }

    /// <summary>Detaches the program, wakes a blocked <see cref="Wait"/> and releases maps, socket, rings and UMEM.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Closing the link detaches the program: from here on the kernel gets every frame again.
        _link.Dispose();
        Wake();
        _program.Dispose();
        lock (_addressLock)
        {
            _addressMap.Dispose();
            _address6Map.Dispose();
        }

        _xskMap.Dispose();
        _counterMap.Dispose();

        // A thread inside Dispatch, Send or Wait holds a reference: the rings stay mapped until it leaves.
        _socket.Dispose();
        _wakeEvent.Dispose();
    }

    /// <summary>The map key: the address's bytes in wire order, as the program reads them from the packet.</summary>
    private static uint ToMapKey(uint address) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(address) : address;

    private static void AddFlags(Dictionary<uint, uint> entries, IReadOnlyCollection<uint> addresses, uint flag)
    {
        foreach (var address in addresses)
        {
            entries[address] = entries.GetValueOrDefault(address) | flag;
        }
    }

    private static void Validate(AfXdpOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.InterfaceName);
        ArgumentOutOfRangeException.ThrowIfNegative(options.QueueId);
        if (options.FrameSizeBytes is not (2048 or 4096))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FrameSizeBytes, "FrameSizeBytes must be 2048 or 4096.");
        }

        if (options.FrameCount < 2 || !BitOperations.IsPow2(options.FrameCount))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FrameCount, "FrameCount must be a power of two, at least 2.");
        }

        if (!BitOperations.IsPow2(options.RingSize) || options.RingSize < options.FrameCount / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RingSize, "RingSize must be a power of two of at least FrameCount / 2.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TransmitBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxAddresses);
        ArgumentNullException.ThrowIfNull(options.Addresses);
        ArgumentNullException.ThrowIfNull(options.ReplySourceAddresses);
        ArgumentNullException.ThrowIfNull(options.HostAddresses);
        ArgumentNullException.ThrowIfNull(options.Addresses6);
    }
}

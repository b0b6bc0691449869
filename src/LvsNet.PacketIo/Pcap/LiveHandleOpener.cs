namespace LvsNet.PacketIo.Pcap;

/// <summary>Opens and configures a live libpcap handle, naming the step that fails.</summary>
/// <remarks>
/// The order is libpcap's: options that must precede activation (snap length, promiscuous mode,
/// timeout, buffer size, immediate mode), then <c>pcap_activate</c>, then the options that need an
/// active handle (direction, non-blocking mode, filter). Either every step succeeds or the handle is
/// closed and nothing is left half-configured.
/// </remarks>
internal static unsafe class LiveHandleOpener
{
    /// <summary>Opens a handle as <paramref name="configuration"/> describes.</summary>
    /// <param name="configuration">What to open.</param>
    /// <param name="activationWarning">libpcap's warning text when <c>pcap_activate</c> succeeded with a warning (e.g. promiscuous mode not supported).</param>
    /// <exception cref="PcapException">A step failed; <see cref="PcapException.Step"/> names it.</exception>
    public static PcapHandle Open(DeviceConfiguration configuration, out string? activationWarning)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        PcapLibrary.EnsureInitialized();

        var name = configuration.InterfaceName;
        var errorBuffer = stackalloc byte[Interop.Pcap.ErrorBufferSize];
        errorBuffer[0] = 0;

        var handle = Interop.Pcap.pcap_create(name, errorBuffer);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw PcapException.FromStatus("pcap_create", name, Interop.Pcap.Error,
                PcapLibrary.ReadNativeString(errorBuffer, Interop.Pcap.ErrorBufferSize));
        }

        try
        {
            // Before activation these only fail with PCAP_ERROR_ACTIVATED, so the status text says enough.
            CheckOption(name, "pcap_set_snaplen", Interop.Pcap.pcap_set_snaplen(handle, configuration.SnapLength));
            CheckOption(name, "pcap_set_promisc", Interop.Pcap.pcap_set_promisc(handle, configuration.Promiscuous ? 1 : 0));
            CheckOption(name, "pcap_set_timeout",
                Interop.Pcap.pcap_set_timeout(handle, (int)Math.Ceiling(configuration.PacketBufferTimeout.TotalMilliseconds)));
            CheckOption(name, "pcap_set_buffer_size", Interop.Pcap.pcap_set_buffer_size(handle, configuration.BufferSizeBytes));
            CheckOption(name, "pcap_set_immediate_mode", Interop.Pcap.pcap_set_immediate_mode(handle, configuration.ImmediateMode ? 1 : 0));

            var status = Interop.Pcap.pcap_activate(handle);
            if (status < 0)
            {
                // e.g. -5 PCAP_ERROR_NO_SUCH_DEVICE, -8 PCAP_ERROR_PERM_DENIED (no CAP_NET_RAW).
                throw PcapException.FromStatus("pcap_activate", name, status, PcapLibrary.GetError(handle));
            }

            activationWarning = status > 0
                ? JoinDetail(PcapLibrary.StatusToString(status), PcapLibrary.GetError(handle))
                : null;

            // Frame handlers are promised an Ethernet header; "any" (LINUX_SLL) or a tun device would break that.
            var linkType = Interop.Pcap.pcap_datalink(handle);
            if (linkType != Interop.Pcap.LinkTypeEthernet)
            {
                throw new PcapException(
                    $"pcap_datalink on '{name}' reports link type {linkType}; only Ethernet (DLT_EN10MB = 1) is supported.",
                    "pcap_datalink",
                    linkType);
            }

            if (Interop.Pcap.pcap_setdirection(handle, (int)configuration.Direction) != 0)
            {
                throw PcapException.FromStatus("pcap_setdirection", name, Interop.Pcap.Error, PcapLibrary.GetError(handle));
            }

            if (configuration.NonBlocking && Interop.Pcap.pcap_setnonblock(handle, 1, errorBuffer) != 0)
            {
                throw PcapException.FromStatus("pcap_setnonblock", name, Interop.Pcap.Error,
                    PcapLibrary.ReadNativeString(errorBuffer, Interop.Pcap.ErrorBufferSize));
            }

            if (configuration.Filter is not null)
            {
                SetFilter(handle, name, configuration.Filter);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void SetFilter(PcapHandle handle, string name, string filter)
    {
        using var program = new BpfProgramHandle();
        if (PcapLibrary.Compile(handle, program, filter) != 0)
        {
            throw PcapException.FromStatus("pcap_compile", name, Interop.Pcap.Error,
                $"filter \"{filter}\": {PcapLibrary.GetError(handle)}");
        }

        // On Linux the program is attached to the socket (SO_ATTACH_FILTER) and libpcap keeps its own
        // copy, so ours is freed as soon as pcap_setfilter returns.
        if (Interop.Pcap.pcap_setfilter(handle, program) != 0)
        {
            throw PcapException.FromStatus("pcap_setfilter", name, Interop.Pcap.Error,
                $"filter \"{filter}\": {PcapLibrary.GetError(handle)}");
        }
    }

    private static void CheckOption(string name, string step, int status)
    {
        if (status != 0)
        {
            throw PcapException.FromStatus(step, name, status, detail: null);
        }
    }

    private static string JoinDetail(string status, string detail) =>
        string.IsNullOrEmpty(detail) ? status : status + ": " + detail;
}

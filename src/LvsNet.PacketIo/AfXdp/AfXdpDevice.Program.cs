using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

public sealed partial class AfXdpDevice
{
    private FileDescriptorHandle _counterMap = null!;
    private long _vlanTaggedDropped;
    private long _vlanMetadataUnsupported;
    private int _vlanMetadataLostRaised;
    private string? _vlanMetadataUnavailable;

    /// <summary>
    /// Raised once, on the thread that reads the counters (<see cref="GetStatistics"/>, <see cref="ProgramCounters"/>),
    /// when the device-bound program finds at run time that the driver cannot report stripped VLAN tags
    /// (the kfunc answers -EOPNOTSUPP). The argument says what is missing; <see cref="VlanMetadataUnavailable"/>
    /// says the same from then on.
    /// </summary>
    public event Action<string>? VlanMetadataLost;

    /// <summary>
    /// Null while the program drops frames whose VLAN tag the driver has taken out of the frame (receive VLAN
    /// offload); otherwise why it cannot (no metadata kfunc in this kernel, the kernel refused the
    /// device-bound program, generic mode, or a driver without the function), in which case such frames
    /// are redirected like untagged ones.
    /// </summary>
    public string? VlanMetadataUnavailable => Volatile.Read(ref _vlanMetadataUnavailable);

    /// <summary>
    /// What the XDP program has counted so far (read from its map now; the last values read when the
    /// device is disposed or the read fails). Safe from any thread.
    /// </summary>
    public XdpProgramCounters ProgramCounters
    {
        get
        {
            RefreshProgramCounters();
            return new XdpProgramCounters(Volatile.Read(ref _vlanTaggedDropped), Volatile.Read(ref _vlanMetadataUnsupported));
        }
    }

    /// <summary>
    /// Loads the address filter: bound to the interface with the VLAN metadata check when the kernel offers
    /// the kfunc and native mode is possible, otherwise unbound (and <see cref="VlanMetadataUnavailable"/> says why).
    /// </summary>
    /// <exception cref="XdpException">The kernel refused even the unbound program.</exception>
    private FileDescriptorHandle LoadProgram(AfXdpOptions options)
    {
        if (options.AttachMode == XdpAttachMode.Generic)
        {
            return LoadUnboundProgram("generic attach mode was requested, and a device-bound program attaches only in native mode");
        }

        if (!options.DropStrippedVlanTags)
        {
            return LoadUnboundProgram("the check was turned off (AfXdpOptions.DropStrippedVlanTags)");
        }

        var kernelFunction = KernelBtf.FindFunction(XdpVlanMetadataCheck.KernelFunctionName, out var problem);
        if (kernelFunction == 0)
        {
            return LoadUnboundProgram(problem!);
        }

        try
        {
            return LoadFilter(kernelFunction);
        }
        catch (XdpException ex)
        {
            return LoadUnboundProgram($"the kernel refused the device-bound program ({ex.Step}: errno {ex.ErrorNumber})");
        }
    }

    /// <summary>Replaces a device-bound program, which the attach step could not use, by the unbound one.</summary>
    private void FallBackToUnboundProgram(string reason)
    {
        var old = _program;
        _program = LoadUnboundProgram(reason);
        old.Dispose();
    }

    private FileDescriptorHandle LoadUnboundProgram(string reason)
    {
        var program = LoadFilter(kernelFunction: 0);
        Volatile.Write(ref _vlanMetadataUnavailable, reason);
        return program;
    }

    /// <summary>Builds and loads the filter; with a kfunc id, bound to the interface with the VLAN metadata check.</summary>
    private FileDescriptorHandle LoadFilter(int kernelFunction)
    {
        FileDescriptorHandle[] maps = [_addressMap, _address6Map, _xskMap, _counterMap];
        var added = new bool[maps.Length];
        try
        {
            for (var i = 0; i < maps.Length; i++)
            {
                maps[i].DangerousAddRef(ref added[i]);
            }

            var program = XdpAddressFilterProgram.Build(
                _addressMap.FileDescriptor,
                _address6Map.FileDescriptor,
                _xskMap.FileDescriptor,
                vlanMetadata: kernelFunction == 0 ? null : (kernelFunction, _counterMap.FileDescriptor),
                vlan: _vlan);
            return BpfSystem.LoadXdpProgram(program, "lvs_xsk_redir", kernelFunction == 0 ? 0 : _interfaceIndex);
        }
        finally
        {
            for (var i = maps.Length - 1; i >= 0; i--)
            {
                if (added[i])
                {
                    maps[i].DangerousRelease();
                }
            }
        }
    }

    /// <summary>Reads the program's counters into the cached values; raises <see cref="VlanMetadataLost"/> the first time the driver said it cannot tell.</summary>
    private void RefreshProgramCounters()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _vlanTaggedDropped, (long)BpfSystem.SumPerCpuElement(_counterMap, (uint)XdpCounter.VlanTagged));
            var unsupported = (long)BpfSystem.SumPerCpuElement(_counterMap, (uint)XdpCounter.VlanMetadataUnsupported);
            Volatile.Write(ref _vlanMetadataUnsupported, unsupported);
            if (unsupported > 0 && Interlocked.Exchange(ref _vlanMetadataLostRaised, 1) == 0)
            {
                var reason = $"the driver of '{Name}' cannot report VLAN tags it strips (bpf_xdp_metadata_rx_vlan_tag returns EOPNOTSUPP)";
                Volatile.Write(ref _vlanMetadataUnavailable, reason);
                VlanMetadataLost?.Invoke(reason);
            }
        }
        catch (Exception ex) when (ex is XdpException or ObjectDisposedException)
        {
            // Counters are informational: a failed read (the device closing) keeps the last values.
        }
    }
}

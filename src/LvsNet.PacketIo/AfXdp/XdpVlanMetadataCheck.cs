using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

/// <summary>
/// The part of <see cref="XdpAddressFilterProgram"/> that sees VLAN tags the driver has taken out of the
/// frame: before a frame is redirected to the socket, the device-bound program asks the driver for the
/// frame's receive VLAN tag with the XDP metadata kfunc <c>bpf_xdp_metadata_rx_vlan_tag</c> and drops a
/// tagged frame, counting it.
/// </summary>
/// <remarks>
/// <para>In pseudo-C, at the program's redirect point:</para>
/// <code>
/// __be16 proto = 0; u16 tci = 0;
/// int err = bpf_xdp_metadata_rx_vlan_tag(ctx, &amp;proto, &amp;tci);   // 0: the driver holds a tag
/// if (err == 0) { counters[VLAN_TAGGED]++; return XDP_DROP; }
/// if (err == -EOPNOTSUPP) counters[VLAN_METADATA_UNSUPPORTED]++;  // the driver cannot tell: as before
/// return bpf_redirect_map(&amp;xsks, ctx->rx_queue_index, XDP_PASS);
/// </code>
/// <para>
/// With a VLAN configured (<c>director.vlan</c>) a tag for that VLAN is the director's own segment: the
/// program puts the tag back into the frame (the data path reads it there, as libpcap and the AF_PACKET
/// device give it) and redirects; tags for any other VLAN are dropped as above:
/// </para>
/// <code>
/// if (err == 0 &amp;&amp; (tci &amp; 0xfff) == VLAN) {
///     if (bpf_xdp_adjust_head(ctx, -4)) return XDP_DROP;
///     if (data + 18 > data_end) return XDP_DROP;
///     memmove(data, data + 4, 12); *(__be16 *)(data + 12) = htons(0x8100); *(__be16 *)(data + 14) = htons(VLAN);
///     return bpf_redirect_map(...);                                // priority bits are not kept
/// }
/// </code>
/// <para>
/// Why here: a NIC with receive VLAN offload, and a veth whose peer (a bridge, a VLAN device) handed it the
/// tag in the socket buffer, give the program the frame without its tag. Such a frame belongs to a
/// segment the director is not on (no VLAN is configured), so it is dropped; it never reaches the data
/// path, which therefore cannot count it: the per-CPU counter map stands in, and the daemon adds it to
/// the data path's <c>VlanTagged</c> drops. Only frames the program would redirect are asked about:
/// tagged traffic for anything else (the host's own VLAN subinterfaces) is passed before this point and
/// stays with the kernel. Tags still in the frame were handled by the rules before (they redirect, and the
/// data path drops and counts them).
/// </para>
/// <para>
/// -ENODATA (no tag) and any other error redirect as before. -EOPNOTSUPP means the driver has no
/// implementation (the kernel then runs the generic kfunc): the program behaves as without the check, and
/// the counter tells user space that the protection is missing. The kfunc returns <c>int</c>: its result
/// is compared as 32 bits. Its two pointer arguments point at zeroed stack slots (r10 - 16, r10 - 8).
/// </para>
/// </remarks>
internal static class XdpVlanMetadataCheck
{
    /// <summary>The kfunc's name in the kernel's BTF.</summary>
    public const string KernelFunctionName = "bpf_xdp_metadata_rx_vlan_tag";

    /// <summary>-EOPNOTSUPP as the kfunc returns it when the driver does not implement it.</summary>
    private const int NotSupported = -95;

    /// <summary>Helper BPF_FUNC_xdp_adjust_head.</summary>
    private const int AdjustHead = 44;

    private const short StackProtocol = -16;
    private const short StackTagControl = -8;
    private const short StackKey = -4;

    /// <summary>
    /// Emits the check: on entry r6 = ctx; on a tag it counts and returns XDP_DROP, otherwise it falls
    /// through to the instructions emitted after it (the redirect) with r6 unchanged.
    /// </summary>
    /// <param name="asm">The program being assembled.</param>
    /// <param name="kernelFunctionId">The BTF type id of <see cref="KernelFunctionName"/> in the kernel's BTF.</param>
    /// <param name="counterMapFd">A BPF_MAP_TYPE_PERCPU_ARRAY of u64 indexed by <see cref="XdpCounter"/>.</param>
    /// <param name="vlan">The director's VLAN, whose tag is put back into the frame instead of dropped; 0 for none.</param>
    public static void Emit(BpfAssembler asm, int kernelFunctionId, int counterMapFd, ushort vlan = 0)
    {
        var tagged = asm.DefineLabel();
        var other = asm.DefineLabel();
        var drop = asm.DefineLabel();
        var unsupported = asm.DefineLabel();
        var done = asm.DefineLabel();

        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R1, 0));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R10, StackProtocol, BpfRegister.R1));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R10, StackTagControl, BpfRegister.R1));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R1, BpfRegister.R6));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R2, BpfRegister.R10));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R2, StackProtocol));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R3, BpfRegister.R10));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R3, StackTagControl));
        asm.Emit(BpfInstruction.CallKernelFunction(kernelFunctionId));
        asm.Emit(BpfInstruction.JumpIfEqual32(BpfRegister.R0, 0, 0), tagged);
        asm.Emit(BpfInstruction.JumpIfEqual32(BpfRegister.R0, NotSupported, 0), unsupported);
        asm.Emit(BpfInstruction.Jump(0), done);

        asm.Mark(unsupported);
        EmitIncrement(asm, counterMapFd, XdpCounter.VlanMetadataUnsupported);
        asm.Emit(BpfInstruction.Jump(0), done);

        asm.Mark(tagged);
        if (vlan != 0)
        {
            asm.Emit(BpfInstruction.LoadHalfWord(BpfRegister.R1, BpfRegister.R10, StackTagControl));
            asm.Emit(BpfInstruction.AndImmediate(BpfRegister.R1, 0x0FFF));
            asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R1, vlan, 0), other);
            EmitReinsertTag(asm, vlan, drop);
            asm.Emit(BpfInstruction.Jump(0), done);
        }

        asm.Mark(other);
        EmitIncrement(asm, counterMapFd, XdpCounter.VlanTagged);
        asm.Mark(drop);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R0, XdpAddressFilterProgram.XdpDrop));
        asm.Emit(BpfInstruction.Exit());

        asm.Mark(done);
    }

    // Grows the frame by 4 bytes at the front and writes the MACs and the tag there; r6 = ctx is kept.
    private static void EmitReinsertTag(BpfAssembler asm, ushort vlan, int drop)
    {
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R1, BpfRegister.R6));
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R2, -4));
        asm.Emit(BpfInstruction.Call(AdjustHead));
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R0, 0, 0), drop);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, XdpAddressFilterProgram.ContextData));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R3, BpfRegister.R6, XdpAddressFilterProgram.ContextDataEnd));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, 18));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), drop);
        asm.Emit(BpfInstruction.LoadDoubleWord(BpfRegister.R1, BpfRegister.R2, 4));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R2, 0, BpfRegister.R1));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R1, BpfRegister.R2, 12));
        asm.Emit(BpfInstruction.StoreWord(BpfRegister.R2, 8, BpfRegister.R1));
        // Little-endian stores of the big-endian TPID 0x8100 and of the VLAN id.
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R1, 0x0081));
        asm.Emit(BpfInstruction.StoreHalfWord(BpfRegister.R2, 12, BpfRegister.R1));
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R1, (ushort)((vlan >> 8) | ((vlan & 0xFF) << 8))));
        asm.Emit(BpfInstruction.StoreHalfWord(BpfRegister.R2, 14, BpfRegister.R1));
    }

    // counters[counter]++ on this CPU (a per-CPU value: no other CPU writes it, so no atomic is needed).
    private static void EmitIncrement(BpfAssembler asm, int counterMapFd, XdpCounter counter)
    {
        var absent = asm.DefineLabel();
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R1, (int)counter));
        asm.Emit(BpfInstruction.StoreWord(BpfRegister.R10, StackKey, BpfRegister.R1));
        XdpAddressFilterProgram.EmitStackLookup(asm, StackKey, counterMapFd);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), absent);
        asm.Emit(BpfInstruction.LoadDoubleWord(BpfRegister.R1, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R1, 1));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R0, 0, BpfRegister.R1));
        asm.Mark(absent);
    }
}

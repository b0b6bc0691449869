namespace LvsNet.Pcap;

/// <summary>
/// The XDP program of the AF_XDP backend: ARP frames whose target protocol address, and IPv4 frames
/// whose destination address, is in the address map go to the AF_XDP socket of their receive queue;
/// everything else (and anything too short to tell) is passed to the kernel's stack.
/// </summary>
/// <remarks>
/// <para>The program in pseudo-C (33 instructions):</para>
/// <code>
/// data = ctx->data; end = ctx->data_end;
/// if (data + 14 > end) return XDP_PASS;
/// switch (eth->h_proto) {
/// case htons(ETH_P_ARP): if (data + 42 > end) return XDP_PASS; key = arp->ar_tip; break;   // offset 38
/// case htons(ETH_P_IP):  if (data + 34 > end) return XDP_PASS; key = ip->daddr; break;     // offset 30
/// default: return XDP_PASS;
/// }
/// if (!bpf_map_lookup_elem(&amp;addresses, &amp;key)) return XDP_PASS;
/// return bpf_redirect_map(&amp;xsks, ctx->rx_queue_index, XDP_PASS);  // no socket on that queue: pass
/// </code>
/// <para>
/// Frames are matched on untagged Ethernet only (no VLAN tags), and only the address is checked: IPv4
/// header validation is left to the data path's parser, which counts malformed frames. Loads at packet
/// offsets 30 and 38 are unaligned by 2 bytes, which the verifier accepts on architectures with efficient
/// unaligned access (x86_64, arm64) and which the driver's NET_IP_ALIGN headroom usually makes aligned.
/// </para>
/// </remarks>
internal static class XdpAddressFilterProgram
{
    /// <summary>XDP_PASS.</summary>
    public const int XdpPass = 2;

    /// <summary>Helper BPF_FUNC_map_lookup_elem.</summary>
    public const int MapLookupElement = 1;

    /// <summary>Helper BPF_FUNC_redirect_map.</summary>
    public const int RedirectMap = 51;

    /// <summary>The EtherType field of IPv4 read as a little-endian u16 (network order 0x0800).</summary>
    private const int EtherTypeIpv4LittleEndian = 0x0008;

    /// <summary>The EtherType field of ARP read as a little-endian u16 (network order 0x0806).</summary>
    private const int EtherTypeArpLittleEndian = 0x0608;

    private const short EthernetHeaderLength = 14;
    private const short EtherTypeOffset = 12;
    private const short Ipv4DestinationOffset = EthernetHeaderLength + 16;
    private const short Ipv4MinimumEnd = EthernetHeaderLength + 20;
    private const short ArpTargetAddressOffset = EthernetHeaderLength + 24;
    private const short ArpEnd = EthernetHeaderLength + 28;

    // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index (u32 each).
    private const short ContextData = 0;
    private const short ContextDataEnd = 4;
    private const short ContextRxQueueIndex = 16;

    /// <summary>Assembles the program for the given map descriptors.</summary>
    /// <param name="addressMapFd">A BPF_MAP_TYPE_HASH with 4-byte keys (IPv4 addresses in network byte order).</param>
    /// <param name="xskMapFd">A BPF_MAP_TYPE_XSKMAP indexed by receive queue.</param>
    public static BpfInstruction[] Build(int addressMapFd, int xskMapFd)
    {
        var asm = new BpfAssembler();
        var pass = asm.DefineLabel();
        var arp = asm.DefineLabel();
        var lookup = asm.DefineLabel();

        // r6 = ctx (callee-saved across the helper call); r2 = data; r3 = data_end.
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R6, BpfRegister.R1));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, ContextData));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R3, BpfRegister.R6, ContextDataEnd));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, EthernetHeaderLength));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadHalfWord(BpfRegister.R5, BpfRegister.R2, EtherTypeOffset));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R5, EtherTypeArpLittleEndian, 0), arp);
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R5, EtherTypeIpv4LittleEndian, 0), pass);

        // IPv4: key = daddr.
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, Ipv4MinimumEnd));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R5, BpfRegister.R2, Ipv4DestinationOffset));
        asm.Emit(BpfInstruction.Jump(0), lookup);

        // ARP: key = target protocol address.
        asm.Mark(arp);
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, ArpEnd));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R5, BpfRegister.R2, ArpTargetAddressOffset));

        // The key goes on the stack: map helpers take a pointer to it.
        asm.Mark(lookup);
        asm.Emit(BpfInstruction.StoreWord(BpfRegister.R10, -4, BpfRegister.R5));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R2, BpfRegister.R10));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R2, -4));
        asm.EmitLoadMapFd(BpfRegister.R1, addressMapFd);
        asm.Emit(BpfInstruction.Call(MapLookupElement));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), pass);

        // return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS): the low bits of the flags are the
        // action taken when the queue has no socket in the map.
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, ContextRxQueueIndex));
        asm.EmitLoadMapFd(BpfRegister.R1, xskMapFd);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R3, XdpPass));
        asm.Emit(BpfInstruction.Call(RedirectMap));
        asm.Emit(BpfInstruction.Exit());

        asm.Mark(pass);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R0, XdpPass));
        asm.Emit(BpfInstruction.Exit());
        return asm.ToArray();
    }
}

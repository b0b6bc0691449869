using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

/// <summary>
/// The XDP program of the AF_XDP backend: it redirects to the AF_XDP socket of the receive queue the ARP
/// frames for owned addresses, the IPv4 frames to owned addresses, and the IPv4 frames from reply
/// sources (NAT real servers) unless they go to one of the host's own addresses, whether untagged or
/// carrying VLAN tags; everything else, and anything too short to tell, is passed to the kernel's stack.
/// </summary>
/// <remarks>
/// <para>Two hash maps, IPv4 address and IPv6 address (wire byte order) to flags (<see cref="Owned"/>, <see cref="ReplySource"/>, <see cref="Host"/>). The IPv4 and ARP part in pseudo-C (the IPv6 part is described on <see cref="XdpIpv6Filter"/>), with <c>t</c> the bytes of VLAN tags in front of the EtherType:</para>
/// <code>
/// for (t = 0; ; t += 4) {                            // unrolled: t = 0, 4, 8
///     if (data + 14 + t > end) return XDP_PASS;
///     type = *(u16 *)(data + 12 + t);
///     if (type != htons(ETH_P_8021Q) &amp;&amp; type != htons(ETH_P_8021AD)) break;
///     if (t == 8) return XDP_PASS;                   // a third tag: the kernel's
/// }
/// if (type == htons(ETH_P_ARP)) {
///     if (data + 42 + t > end) return XDP_PASS;
///     f = lookup(arp->ar_tip);                       // target protocol address, offset 38 + t
///     return f &amp;&amp; (*f &amp; OWNED) ? redirect() : XDP_PASS;
/// }
/// if (type == htons(ETH_P_IPV6)) return ipv6_filter(t);                // XdpIpv6Filter
/// if (type != htons(ETH_P_IP) || data + 34 + t > end) return XDP_PASS;
/// f = lookup(ip->daddr);                             // offset 30 + t
/// if (f &amp;&amp; (*f &amp; OWNED)) return redirect();
/// if (f &amp;&amp; (*f &amp; HOST)) return XDP_PASS;             // the host's own traffic, e.g. health checks
/// f = lookup(ip->saddr);                             // offset 26 + t
/// return f &amp;&amp; (*f &amp; REPLY_SOURCE) ? redirect() : XDP_PASS;
/// redirect(): return bpf_redirect_map(&amp;xsks, ctx->rx_queue_index, XDP_PASS);   // no socket on that queue: pass
/// </code>
/// <para>
/// Tagged frames (802.1Q, 802.1ad, up to two tags) follow the same rules as untagged ones, read 4 or 8
/// bytes further on: a tagged frame that would be redirected untagged goes to the socket, where the data
/// path drops and counts it (no VLAN is configured, so it belongs to a segment the director is not on;
/// passed, it would reach the kernel instead and never be counted). Tagged traffic for anything else, the
/// host's own VLAN subinterfaces included, stays with the kernel. The rule sees only tags that are in the
/// frame: a driver or a veth peer that has moved the tag into the packet's metadata (receive VLAN
/// offload) hands the program the frame without it. For those, the device-bound form of the program asks
/// the driver before every redirect and drops a frame it holds a tag for (<see cref="XdpVlanMetadataCheck"/>);
/// the unbound form (kernels or drivers without the metadata kfunc, generic mode) treats it as untagged.
/// </para>
/// <para>
/// Only addresses are checked: IPv4 header validation is left to the data path's parser, which counts
/// malformed frames. Every offset is a constant checked against <c>data_end</c> before the load. Loads at
/// packet offsets 26, 30 and 38 (plus the tags) are unaligned by 2 bytes, which the verifier accepts on
/// architectures with efficient unaligned access (x86_64, arm64).
/// </para>
/// </remarks>
internal static class XdpAddressFilterProgram
{
    /// <summary>XDP_PASS.</summary>
    public const int XdpPass = 2;

    /// <summary>XDP_DROP (only as the no-socket verdict of test builds).</summary>
    public const int XdpDrop = 1;

    /// <summary>Helper BPF_FUNC_map_lookup_elem.</summary>
    public const int MapLookupElement = 1;

    /// <summary>Helper BPF_FUNC_redirect_map.</summary>
    public const int RedirectMap = 51;

    /// <summary>Flag: ARP for this address and IPv4 to it go to the socket (VIPs, addresses the daemon answers for).</summary>
    public const uint Owned = 1;

    /// <summary>Flag: IPv4 from this address goes to the socket unless it is addressed to a <see cref="Host"/> address (NAT replies).</summary>
    public const uint ReplySource = 2;

    /// <summary>Flag: IPv4 or IPv6 to this address stays with the kernel even when its source is a <see cref="ReplySource"/>.</summary>
    public const uint Host = 4;

    /// <summary>The EtherType field of IPv4 read as a little-endian u16 (network order 0x0800).</summary>
    private const int EtherTypeIpv4LittleEndian = 0x0008;

    /// <summary>The EtherType field of IPv6 read as a little-endian u16 (network order 0x86DD).</summary>
    private const int EtherTypeIpv6LittleEndian = 0xDD86;

    /// <summary>The EtherType field of ARP read as a little-endian u16 (network order 0x0806).</summary>
    private const int EtherTypeArpLittleEndian = 0x0608;

    /// <summary>The 802.1Q tag protocol identifier read as a little-endian u16 (network order 0x8100).</summary>
    private const int EtherTypeVlanLittleEndian = 0x0081;

    /// <summary>The 802.1ad (service tag, outer QinQ) identifier read as a little-endian u16 (network order 0x88A8).</summary>
    private const int EtherTypeServiceVlanLittleEndian = 0xA888;

    private const short VlanTagLength = 4;
    private const short EthernetHeaderLength = 14;
    private const short EtherTypeOffset = 12;
    private const short Ipv4SourceOffset = EthernetHeaderLength + 12;
    private const short Ipv4DestinationOffset = EthernetHeaderLength + 16;
    private const short Ipv4MinimumEnd = EthernetHeaderLength + 20;
    private const short ArpTargetAddressOffset = EthernetHeaderLength + 24;
    private const short ArpEnd = EthernetHeaderLength + 28;

    // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index (u32 each).
    internal const short ContextData = 0;
    internal const short ContextDataEnd = 4;
    private const short ContextRxQueueIndex = 16;

    /// <summary>Assembles the program for the given map descriptors.</summary>
    /// <param name="addressMapFd">A BPF_MAP_TYPE_HASH from 4-byte keys (IPv4 addresses in wire byte order) to 4-byte flags.</param>
    /// <param name="address6MapFd">A BPF_MAP_TYPE_HASH from 16-byte keys (IPv6 addresses in wire byte order) to 4-byte flags.</param>
    /// <param name="xskMapFd">A BPF_MAP_TYPE_XSKMAP indexed by receive queue.</param>
    /// <param name="noSocketAction">
    /// The verdict of a redirect when the queue has no socket in <paramref name="xskMapFd"/>: <see cref="XdpPass"/>
    /// in service; tests running the program with BPF_PROG_TEST_RUN (no socket) pass <see cref="XdpDrop"/> to
    /// tell a redirect from a pass.
    /// </param>
    /// <param name="vlanMetadata">
    /// For a device-bound program: the BTF id of <c>bpf_xdp_metadata_rx_vlan_tag</c> and the per-CPU counter
    /// map; every frame about to be redirected is then dropped and counted when the driver holds a VLAN tag
    /// for it (<see cref="XdpVlanMetadataCheck"/>). Null: no such check (the program can be loaded unbound).
    /// </param>
    /// <param name="vlan">The director's VLAN: with <paramref name="vlanMetadata"/>, its tag is put back into the frame and the frame redirected instead of dropped; 0 for none.</param>
    public static BpfInstruction[] Build(
        int addressMapFd, int address6MapFd, int xskMapFd, int noSocketAction = XdpPass, (int KernelFunctionId, int CounterMapFd)? vlanMetadata = null, ushort vlan = 0)
    {
        var asm = new BpfAssembler();
        var pass = asm.DefineLabel();
        var redirect = asm.DefineLabel();
        var tagged = asm.DefineLabel();
        var doubleTagged = asm.DefineLabel();

        // r6 = ctx (callee-saved across helper calls); r2 = data; r3 = data_end.
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R6, BpfRegister.R1));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, ContextData));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R3, BpfRegister.R6, ContextDataEnd));

        // Untagged, then one tag (802.1Q or 802.1ad), then two (QinQ): the same rules with the
        // network header 0, 4 or 8 bytes further on. A third tag is left to the kernel.
        EmitEtherType(asm, 0, pass, tagged);
        EmitFrame(asm, 0, addressMapFd, address6MapFd, pass, redirect);
        asm.Mark(tagged);
        EmitEtherType(asm, VlanTagLength, pass, doubleTagged);
        EmitFrame(asm, VlanTagLength, addressMapFd, address6MapFd, pass, redirect);
        asm.Mark(doubleTagged);
        EmitEtherType(asm, 2 * VlanTagLength, pass, pass);
        EmitFrame(asm, 2 * VlanTagLength, addressMapFd, address6MapFd, pass, redirect);

        // return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS): the low bits of the flags are the
        // action taken when the queue has no socket in the map.
        asm.Mark(redirect);
        if (vlanMetadata is { } check)
        {
            XdpVlanMetadataCheck.Emit(asm, check.KernelFunctionId, check.CounterMapFd, vlan);
        }

        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, ContextRxQueueIndex));
        asm.EmitLoadMapFd(BpfRegister.R1, xskMapFd);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R3, noSocketAction));
        asm.Emit(BpfInstruction.Call(RedirectMap));
        asm.Emit(BpfInstruction.Exit());

        asm.Mark(pass);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R0, XdpPass));
        asm.Emit(BpfInstruction.Exit());
        return asm.ToArray();
    }

    /// <summary><c>if (data + tagBytes + 14 > end) goto pass; r5 = EtherType at 12 + tagBytes; if it is a VLAN tag goto tag;</c> (r2 = data, r3 = data_end).</summary>
    private static void EmitEtherType(BpfAssembler asm, short tagBytes, int pass, int tag)
    {
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, (short)(EthernetHeaderLength + tagBytes)));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadHalfWord(BpfRegister.R5, BpfRegister.R2, (short)(EtherTypeOffset + tagBytes)));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R5, EtherTypeVlanLittleEndian, 0), tag);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R5, EtherTypeServiceVlanLittleEndian, 0), tag);
    }

    /// <summary>
    /// The ARP, IPv4 and IPv6 rules for a network header <paramref name="tagBytes"/> after the untagged
    /// position. On entry r2 = data, r3 = data_end, r5 = the EtherType; every path ends in a jump to
    /// <paramref name="pass"/> or <paramref name="redirect"/>.
    /// </summary>
    private static void EmitFrame(BpfAssembler asm, short tagBytes, int addressMapFd, int address6MapFd, int pass, int redirect)
    {
        var arp = asm.DefineLabel();
        var ipv6 = asm.DefineLabel();
        var source = asm.DefineLabel();

        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R5, EtherTypeArpLittleEndian, 0), arp);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R5, EtherTypeIpv6LittleEndian, 0), ipv6);
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R5, EtherTypeIpv4LittleEndian, 0), pass);

        // IPv4: r7 = daddr, r8 = saddr (callee-saved: the packet pointer does not survive the calls).
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, (short)(Ipv4MinimumEnd + tagBytes)));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R7, BpfRegister.R2, (short)(Ipv4DestinationOffset + tagBytes)));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R8, BpfRegister.R2, (short)(Ipv4SourceOffset + tagBytes)));

        // Destination: owned -> redirect; host -> pass; otherwise look at the source.
        EmitLookup(asm, BpfRegister.R7, addressMapFd);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), source);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R1, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R1, (int)Owned, 0), redirect);
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R1, (int)Host, 0), pass);

        // Source: a reply source -> redirect.
        asm.Mark(source);
        EmitLookup(asm, BpfRegister.R8, addressMapFd);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R1, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R1, (int)ReplySource, 0), redirect);
        asm.Emit(BpfInstruction.Jump(0), pass);

        // ARP: the target protocol address must be owned.
        asm.Mark(arp);
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, (short)(ArpEnd + tagBytes)));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R7, BpfRegister.R2, (short)(ArpTargetAddressOffset + tagBytes)));
        EmitLookup(asm, BpfRegister.R7, addressMapFd);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R1, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R1, (int)Owned, 0), redirect);
        asm.Emit(BpfInstruction.Jump(0), pass);

        asm.Mark(ipv6);
        XdpIpv6Filter.Emit(asm, address6MapFd, tagBytes, pass, redirect);
    }

    /// <summary><c>r0 = bpf_map_lookup_elem(&amp;map, r10 + keyOffset)</c>: the key must already be on the stack.</summary>
    internal static void EmitStackLookup(BpfAssembler asm, short keyOffset, int mapFd)
    {
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R2, BpfRegister.R10));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R2, keyOffset));
        asm.EmitLoadMapFd(BpfRegister.R1, mapFd);
        asm.Emit(BpfInstruction.Call(MapLookupElement));
    }

    // r0 = bpf_map_lookup_elem(&addresses, &key) with the key stored at r10 - 4 (map helpers take a pointer).
    private static void EmitLookup(BpfAssembler asm, BpfRegister key, int addressMapFd)
    {
        asm.Emit(BpfInstruction.StoreWord(BpfRegister.R10, -4, key));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R2, BpfRegister.R10));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R2, -4));
        asm.EmitLoadMapFd(BpfRegister.R1, addressMapFd);
        asm.Emit(BpfInstruction.Call(MapLookupElement));
    }
}

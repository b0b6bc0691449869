using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

/// <summary>
/// The IPv6 part of <see cref="XdpAddressFilterProgram"/>: IPv6 to owned addresses (VIPs), the neighbour
/// discovery the daemon needs, and IPv6 from reply sources (IPv6 NAT real servers) go to the socket;
/// everything else stays with the kernel.
/// </summary>
/// <remarks>
/// <para>In pseudo-C, with <c>f(a)</c> the flags of address <c>a</c> in the IPv6 map (0 when absent) and
/// every packet offset below plus <c>t</c>, the bytes of VLAN tags (0, 4 or 8; see
/// <see cref="XdpAddressFilterProgram"/>):</para>
/// <code>
/// if (data + 54 + t > end) return XDP_PASS;                   // Ethernet + fixed IPv6 header
/// if (f(ip6->daddr) &amp; OWNED) return redirect();               // VIPs, also NS sent to the VIP itself
/// if (ip6->nexthdr == IPPROTO_ICMPV6) {
///     if (data + 55 + t > end) return XDP_PASS;
///     switch (icmp6->type) {
///     case 135:                                               // neighbour solicitation
///         if (data + 78 + t > end) return XDP_PASS;
///         return f(ns->target) &amp; OWNED ? redirect() : XDP_PASS;
///     case 133: case 134: case 136: case 137:                 // RS, RA, NA, redirect: the kernel's
///         return XDP_PASS;                                    // (the daemon reads NA copies with libpcap)
///     }
/// }
/// if (f(ip6->daddr) &amp; HOST) return XDP_PASS;                  // the host's own traffic (health checks)
/// if (is_multicast(ip6->daddr) || is_link_local(ip6->daddr)) return XDP_PASS;
/// return f(ip6->saddr) &amp; REPLY_SOURCE ? redirect() : XDP_PASS;
/// </code>
/// <para>
/// Neighbour solicitations for a VIP arrive at the VIP's solicited-node group (ff02::1:ffXX:XXXX, MAC
/// 33:33:ff:XX:XX:XX) or, for reachability checks, at the VIP itself; the target address decides. The
/// kernel does not hold the VIPs, so taking these frames from it loses nothing. Solicitations for any
/// other target (the host's own addresses, among them the address IPv6 NAT real servers use as their
/// gateway) stay with the kernel, which answers them.
/// </para>
/// <para>
/// Neighbour advertisements are always passed to the kernel. The daemon sends its solicitations from
/// the link-local address derived from the interface's MAC, which the kernel holds too, so the answers
/// are addressed to an address both use, and XDP cannot copy a frame: it goes either to the socket or to
/// the kernel. Taking them would starve the kernel's own resolutions (its gateway, health-check targets)
/// whenever both resolve the same neighbour from the link-local address, and nothing in the frame says
/// whose solicitation it answers. So the kernel keeps every advertisement, and the daemon reads copies
/// from the libpcap handle it already keeps beside the AF_XDP socket for ARP replies (its filter takes
/// ICMPv6 type 136 too); its neighbour table learns only what it asked for.
/// </para>
/// <para>
/// Router solicitations and advertisements and redirects are never taken, and no neighbour discovery
/// message reaches the reply-source rule: a NAT real server resolving its gateway (a host address) must
/// be answered by the kernel. Traffic from a reply source to a multicast or link-local destination is
/// never a NAT reply to a client and stays with the kernel too.
/// </para>
/// <para>
/// Extension headers are not walked: the decisions use only the fixed header's addresses, except the
/// neighbour discovery cases, which need ICMPv6 directly after the fixed header. Neighbour discovery
/// messages behind extension headers (RFC 4861 allows them, they are rare) fall to the general rules,
/// which pass them to the kernel (their destination is multicast or link-local), so such a solicitation
/// for a VIP is not answered. Frames to a VIP with extension headers are redirected by the destination
/// rule and the data path walks the headers (bounded) itself.
/// </para>
/// <para>
/// Every packet read is preceded by a bounds check against <c>data_end</c>; after a helper call the
/// packet pointers are reloaded from the context and checked again, as the verifier requires. The
/// addresses are copied to the stack (r10 - 16 destination, r10 - 32 source, r10 - 48 solicitation
/// target) and looked up from there.
/// </para>
/// </remarks>
internal static class XdpIpv6Filter
{
    /// <summary>IPPROTO_ICMPV6.</summary>
    private const int NextHeaderIcmpv6 = 58;

    private const int RouterSolicitation = 133;
    private const int RouterAdvertisement = 134;
    private const int NeighborSolicitation = 135;
    private const int NeighborAdvertisement = 136;
    private const int Redirect = 137;

    /// <summary>fe80::/10 tested on the first two address bytes read as a little-endian u16: mask ffc0, value fe80.</summary>
    private const int LinkLocalMaskLittleEndian = 0xC0FF;

    private const int LinkLocalLittleEndian = 0x80FE;

    private const short NextHeaderOffset = 14 + 6;
    private const short SourceOffset = 14 + 8;
    private const short DestinationOffset = 14 + 24;
    private const short HeaderEnd = 14 + 40;
    private const short IcmpTypeOffset = HeaderEnd;
    private const short IcmpTypeEnd = HeaderEnd + 1;
    private const short TargetOffset = HeaderEnd + 8;
    private const short NeighborDiscoveryEnd = HeaderEnd + 24;

    private const short StackDestination = -16;
    private const short StackSource = -32;
    private const short StackTarget = -48;

    /// <summary>
    /// Emits the IPv6 part for an IPv6 header <paramref name="tagBytes"/> (0, 4 or 8: the VLAN tags) after
    /// the untagged position. On entry r2 = data, r3 = data_end, r6 = ctx and the EtherType is IPv6; every
    /// path ends in a jump to <paramref name="pass"/> or <paramref name="redirect"/>.
    /// </summary>
    public static void Emit(BpfAssembler asm, int address6MapFd, short tagBytes, int pass, int redirect)
    {
        var afterDestination = asm.DefineLabel();
        var general = asm.DefineLabel();
        var solicitation = asm.DefineLabel();

        EmitBoundsCheck(asm, (short)(HeaderEnd + tagBytes), pass);

        // Addresses to the stack (two unaligned 8-byte loads each), next header to r8 (callee-saved).
        EmitCopyAddress(asm, (short)(DestinationOffset + tagBytes), StackDestination);
        EmitCopyAddress(asm, (short)(SourceOffset + tagBytes), StackSource);
        asm.Emit(BpfInstruction.LoadByte(BpfRegister.R8, BpfRegister.R2, (short)(NextHeaderOffset + tagBytes)));

        // r7 = flags of the destination (0 when absent).
        XdpAddressFilterProgram.EmitStackLookup(asm, StackDestination, address6MapFd);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R7, 0));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), afterDestination);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R7, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R7, (int)XdpAddressFilterProgram.Owned, 0), redirect);

        asm.Mark(afterDestination);
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R8, NextHeaderIcmpv6, 0), general);
        EmitReloadPacket(asm);
        EmitBoundsCheck(asm, (short)(IcmpTypeEnd + tagBytes), pass);
        asm.Emit(BpfInstruction.LoadByte(BpfRegister.R1, BpfRegister.R2, (short)(IcmpTypeOffset + tagBytes)));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, NeighborSolicitation, 0), solicitation);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, NeighborAdvertisement, 0), pass);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, RouterSolicitation, 0), pass);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, RouterAdvertisement, 0), pass);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, Redirect, 0), pass);
        asm.Emit(BpfInstruction.Jump(0), general);

        // Solicitation: the target must be owned.
        asm.Mark(solicitation);
        EmitBoundsCheck(asm, (short)(NeighborDiscoveryEnd + tagBytes), pass);
        EmitCopyAddress(asm, (short)(TargetOffset + tagBytes), StackTarget);
        EmitFlagTest(asm, address6MapFd, StackTarget, XdpAddressFilterProgram.Owned, pass, redirect);

        // General: host destinations, multicast and link-local stay; then the reply-source rule.
        asm.Mark(general);
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R7, (int)XdpAddressFilterProgram.Host, 0), pass);
        asm.Emit(BpfInstruction.LoadByte(BpfRegister.R1, BpfRegister.R10, StackDestination));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, 0xff, 0), pass);
        asm.Emit(BpfInstruction.LoadHalfWord(BpfRegister.R1, BpfRegister.R10, StackDestination));
        asm.Emit(BpfInstruction.AndImmediate(BpfRegister.R1, LinkLocalMaskLittleEndian));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R1, LinkLocalLittleEndian, 0), pass);
        EmitFlagTest(asm, address6MapFd, StackSource, XdpAddressFilterProgram.ReplySource, pass, redirect);
    }

    // if (data + end > data_end) goto pass;
    private static void EmitBoundsCheck(BpfAssembler asm, short end, int pass)
    {
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, end));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
    }

    // 16 bytes from data + packetOffset to r10 + stackOffset (the bounds check covering them comes first).
    private static void EmitCopyAddress(BpfAssembler asm, short packetOffset, short stackOffset)
    {
        asm.Emit(BpfInstruction.LoadDoubleWord(BpfRegister.R1, BpfRegister.R2, packetOffset));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R10, stackOffset, BpfRegister.R1));
        asm.Emit(BpfInstruction.LoadDoubleWord(BpfRegister.R1, BpfRegister.R2, (short)(packetOffset + 8)));
        asm.Emit(BpfInstruction.StoreDoubleWord(BpfRegister.R10, (short)(stackOffset + 8), BpfRegister.R1));
    }

    // Helper calls clobber r1-r5: r2 = data and r3 = data_end again (the bounds checks must be repeated).
    private static void EmitReloadPacket(BpfAssembler asm)
    {
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, XdpAddressFilterProgram.ContextData));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R3, BpfRegister.R6, XdpAddressFilterProgram.ContextDataEnd));
    }

    // Redirect when the address at r10 + stackOffset has flag, else pass.
    private static void EmitFlagTest(BpfAssembler asm, int address6MapFd, short stackOffset, uint flag, int pass, int redirect)
    {
        XdpAddressFilterProgram.EmitStackLookup(asm, stackOffset, address6MapFd);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R0, 0, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R1, BpfRegister.R0, 0));
        asm.Emit(BpfInstruction.JumpIfAnySet(BpfRegister.R1, (int)flag, 0), redirect);
        asm.Emit(BpfInstruction.Jump(0), pass);
    }
}

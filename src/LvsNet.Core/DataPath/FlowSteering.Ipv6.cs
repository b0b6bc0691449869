using LvsNet.Core.Runtime;
using LvsNet.Packets.Ipv6;
using static LvsNet.PacketIo.Bpf.ClassicBpfInstruction;

namespace LvsNet.Core.DataPath;

/// <summary>
/// The IPv6 part of the steering program: the same rules as for IPv4, with the client key the
/// folded address (the XOR of its four 32-bit words, each first cut to the widest persistence
/// prefix of the IPv6 services, so that one template's clients share a worker):
/// <list type="bullet">
/// <item>to an IPv6 VIP: the source (an ICMPv6 error: the quoted packet's destination, the client);</item>
/// <item>to an IPv6 FULLNAT local address: the TCP or UDP destination port (an ICMPv6 error: the
/// quoted packet's source port), the worker's share of local ports;</item>
/// <item>anything else (an IPv6 NAT reply): the destination, the client;</item>
/// <item>neighbour discovery (ICMPv6 133–137 right after the fixed header): worker 0, which passes
/// advertisements on to the others, as with ARP.</item>
/// </list>
/// The program walks the extension headers the way the data path does (hop-by-hop, routing,
/// destination options and fragment headers, at most <see cref="Ipv6ExtensionHeaders.MaxHeaders"/>,
/// unrolled: classic BPF only jumps forward) to find the TCP or UDP ports and the ICMPv6 message,
/// so a packet with extension headers, and a first fragment, is steered as the plain packet. A later
/// fragment carries no ports: to a VIP or a client it is steered by address like every packet; to a
/// local address, where the key is the port, it is steered by its source (the real server),
/// folded as an address — see docs/designs/multi-core-workers.md, "Fragments", for what that means.
/// A chain longer than the bound, or one ending in another header (ESP, AH), goes to worker 0 when
/// it is for a local address and by its source when it is for a VIP. An ICMPv6 error is read as
/// quoting a packet without extension headers.
/// </summary>
public static partial class FlowSteering
{
    private const uint Ipv6Fixed = 40;
    private const uint Icmpv6Header = 8;

    /// <summary>The key prefix for IPv6 clients: the shortest persistence prefix of the persistent IPv6 services (128 when none).</summary>
    public static int KeyPrefixLength6(LvsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var prefix = 128;
        foreach (var service in snapshot.Config.VirtualServices)
        {
            if (service.IsIpv6 && service.PersistenceTimeout is not null)
            {
                prefix = Math.Min(prefix, service.PersistencePrefixLength);
            }
        }

        return prefix;
    }

    /// <summary>The client key of an IPv6 client: its address cut to <paramref name="prefixLength"/>, folded to 32 bits (for <see cref="Owner(uint, int)"/>).</summary>
    public static uint Key6(Ipv6Address client, int prefixLength) => client.Mask(prefixLength).Fold();

    private static void AddIpv6(ProgramBuilder program, LvsSnapshot snapshot)
    {
        var prefix = KeyPrefixLength6(snapshot);
        var masks = new uint[4];
        for (var i = 0; i < 4; i++)
        {
            var bits = Math.Clamp(prefix - (32 * i), 0, 32);
            masks[i] = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
        }

        // Neighbour discovery (router solicitation to redirect): worker 0.
        program.Add(Statement(Ld | B | Abs, Net + 6));
        program.JumpIfNot(58, "v6-destination");
        program.Add(Statement(Ld | B | Abs, Net + Ipv6Fixed));
        for (uint type = 133; type <= 137; type++)
        {
            program.JumpIf(type, "ret0");
        }

        program.Label("v6-destination");
        foreach (var local in snapshot.LocalAddresses6)
        {
            JumpIfAddress(program, Net + 24, local, "v6-local");
        }

        foreach (var vip in snapshot.VirtualAddresses6)
        {
            JumpIfAddress(program, Net + 24, vip, "v6-vip");
        }

        // Anything else (an IPv6 NAT reply): the destination is the client.
        Fold(program, Net + 24, masks);

        // To a local address: the destination port (ICMPv6 error: the quoted packet's source port),
        // found behind the extension headers; a later fragment: its source.
        program.Label("v6-local");
        Walk(program, "v6-local-walk", "v6-local-fragment");
        program.JumpIf(6, "v6-local-port");
        program.JumpIf(17, "v6-local-port");
        program.JumpIfNot(58, "ret0");
        program.Add(Statement(Ld | H | Ind, Net + Icmpv6Header + Ipv6Fixed));
        program.Add(Statement(Jmp | Ja), "mod");
        program.Label("v6-local-port");
        program.Add(Statement(Ld | H | Ind, Net + 2));
        program.Add(Statement(Jmp | Ja), "mod");
        program.Label("v6-local-fragment");
        Fold(program, Net + 8, masks);

        // To a VIP: the source is the client; an ICMPv6 error (type below 128, behind the extension
        // headers) quotes VIP → client.
        program.Label("v6-vip");
        Walk(program, "v6-vip-walk", "v6-source");
        program.JumpIfNot(58, "v6-source");
        program.Add(Statement(Ld | B | Ind, Net));
        program.Add(Statement(Alu | And | SrcK, 0x80));
        program.JumpIfNot(0, "v6-source");
        FoldIndirect(program, Net + Icmpv6Header + 24, masks);
        program.Label("v6-source");
        Fold(program, Net + 8, masks);
    }

    // Walks the extension header chain, unrolled to the data path's bound. On entry nothing; on exit
    // A = the next header where the walk stopped (TCP, UDP, ICMPv6, or another header), X = its
    // offset from the network header. A fragment header with a non-zero offset (a later fragment)
    // jumps to nonFirst. M[0] holds a header's next-header byte while X moves past it.
    private static void Walk(ProgramBuilder program, string prefix, string nonFirst)
    {
        program.Add(Statement(Ldx | W | Imm, Ipv6Fixed));
        program.Add(Statement(Ld | B | Abs, Net + 6));
        for (var i = 0; i < Ipv6ExtensionHeaders.MaxHeaders; i++)
        {
            var options = $"{prefix}-options-{i}";
            var next = $"{prefix}-{i + 1}";
            program.JumpIf(Ipv6ExtensionHeaders.HopByHop, options);
            program.JumpIf(Ipv6ExtensionHeaders.DestinationOptions, options);
            program.JumpIf(Ipv6ExtensionHeaders.Routing, options);
            program.JumpIfNot(Ipv6ExtensionHeaders.Fragment, $"{prefix}-done");

            // A fragment header (8 bytes): the offset (bits 3-15 of its third and fourth bytes) must be 0.
            program.Add(Statement(Ld | H | Ind, Net + 2));
            program.Add(Statement(Alu | And | SrcK, 0xFFF8));
            program.JumpIfNot(0, nonFirst);
            program.Add(Statement(Ld | B | Ind, Net));
            program.Add(Statement(St, 0));
            program.Add(Statement(Misc | Txa));
            program.Add(Statement(Alu | Add | SrcK, 8));
            program.Add(Statement(Misc | Tax));
            program.Add(Statement(Ld | Mem, 0));
            program.Add(Statement(Jmp | Ja), next);

            // Hop-by-hop, destination options, routing: (length + 1) × 8 bytes.
            program.Label(options);
            program.Add(Statement(Ld | B | Ind, Net));
            program.Add(Statement(St, 0));
            program.Add(Statement(Ld | B | Ind, Net + 1));
            program.Add(Statement(Alu | Add | SrcK, 1));
            program.Add(Statement(Alu | Lsh | SrcK, 3));
            program.Add(Statement(Alu | Add | SrcX));
            program.Add(Statement(Misc | Tax));
            program.Add(Statement(Ld | Mem, 0));
            program.Label(next);
        }

        program.Label($"{prefix}-done");
    }

    // If the 16 bytes at offset are address, go to label; four compares, each falling through to the next address on a mismatch.
    private static void JumpIfAddress(ProgramBuilder program, uint offset, Ipv6Address address, string label)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.WriteTo(bytes);
        for (var i = 0; i < 4; i++)
        {
            program.Add(Statement(Ld | W | Abs, offset + (uint)(4 * i)));
            var word = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(4 * i));

            // Skip the rest of this address's block: the remaining (load, compare) pairs and the final jump.
            program.Add(Jump(Jmp | Jeq | SrcK, word, 0, (byte)((2 * (3 - i)) + 1)));
        }

        program.Add(Statement(Jmp | Ja), label);
    }

    // As Fold, for the address at X + offset: X stays in M[1], the running XOR in M[2].
    private static void FoldIndirect(ProgramBuilder program, uint offset, uint[] masks)
    {
        program.Add(Statement(Stx, 1));
        for (var i = 0; i < 4; i++)
        {
            program.Add(Statement(Ldx | W | Mem, 1));
            program.Add(Statement(Ld | W | Ind, offset + (uint)(4 * i)));
            program.Add(Statement(Alu | And | SrcK, masks[i]));
            if (i > 0)
            {
                program.Add(Statement(Ldx | W | Mem, 2));
                program.Add(Statement(Alu | Xor | SrcX));
            }

            if (i < 3)
            {
                program.Add(Statement(St, 2));
            }
        }

        program.Add(Statement(Jmp | Ja), "fold");
    }

    // A = the XOR of the four masked words at offset (Ipv6Address.Fold of the masked address), then the shared fold.
    private static void Fold(ProgramBuilder program, uint offset, uint[] masks)
    {
        for (var i = 0; i < 4; i++)
        {
            program.Add(Statement(Ld | W | Abs, offset + (uint)(4 * i)));
            program.Add(Statement(Alu | And | SrcK, masks[i]));
            if (i > 0)
            {
                program.Add(Statement(Alu | Xor | SrcX));
            }

            if (i < 3)
            {
                program.Add(Statement(Misc | Tax));
            }
        }

        program.Add(Statement(Jmp | Ja), "fold");
    }
}

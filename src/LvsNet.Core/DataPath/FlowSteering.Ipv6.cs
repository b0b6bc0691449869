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
/// The program does not walk extension headers: a packet to a local address whose next header is
/// not TCP, UDP or ICMPv6 (an extension header, a fragment) goes to worker 0, and an ICMPv6 error
/// is read as quoting a packet without extension headers. To a VIP or a client the key is an
/// address, so extension headers and fragments do not matter there.
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

        // To a local address: the destination port (ICMPv6 error: the quoted packet's source port).
        program.Label("v6-local");
        program.Add(Statement(Ld | B | Abs, Net + 6));
        program.JumpIf(6, "v6-local-port");
        program.JumpIf(17, "v6-local-port");
        program.JumpIfNot(58, "ret0");
        program.Add(Statement(Ld | H | Abs, Net + Ipv6Fixed + Icmpv6Header + Ipv6Fixed));
        program.Add(Statement(Jmp | Ja), "mod");
        program.Label("v6-local-port");
        program.Add(Statement(Ld | H | Abs, Net + Ipv6Fixed + 2));
        program.Add(Statement(Jmp | Ja), "mod");

        // To a VIP: the source is the client; an ICMPv6 error (type below 128) quotes VIP → client.
        program.Label("v6-vip");
        program.Add(Statement(Ld | B | Abs, Net + 6));
        program.JumpIfNot(58, "v6-source");
        program.Add(Statement(Ld | B | Abs, Net + Ipv6Fixed));
        program.Add(Statement(Alu | And | SrcK, 0x80));
        program.JumpIfNot(0, "v6-source");
        Fold(program, Net + Ipv6Fixed + Icmpv6Header + 24, masks);
        program.Label("v6-source");
        Fold(program, Net + 8, masks);
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

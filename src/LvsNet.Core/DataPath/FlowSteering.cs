using LvsNet.Core.Runtime;
using LvsNet.PacketIo;
using LvsNet.PacketIo.Bpf;
using static LvsNet.PacketIo.Bpf.ClassicBpfInstruction;

namespace LvsNet.Core.DataPath;

/// <summary>
/// Which worker owns a frame when several capture workers share a NIC, each with its own
/// connection table. Every frame of a connection — the client's packets, a NAT reply, a FULLNAT
/// reply, an ICMP error about it — must reach the worker whose table holds it, although the reply
/// tuple differs from the request tuple. The key is the client:
/// <list type="bullet">
/// <item>to a VIP: the source address (the client), masked;</item>
/// <item>to a FULLNAT local address: the destination port, because each worker hands out only the
/// local ports p with p mod N = its index;</item>
/// <item>anything else (a NAT reply, going to the client): the destination address, masked.</item>
/// </list>
/// The mask is the widest persistence netmask of the configuration, so every connection that a
/// persistence template governs lands on the worker holding the template. The kernel computes the
/// same function in a classic BPF program attached to the sockets' fanout group
/// (<c>PACKET_FANOUT_CBPF</c>, <see cref="BuildProgram"/>), so no frame is handed between
/// workers; <see cref="Owner(ReadOnlySpan{byte}, LvsSnapshot, int)"/> is the same function in C#
/// (tests compare the two).
/// </summary>
/// <remarks>
/// IPv6 is steered by the same rules over the folded address (FlowSteering.Ipv6.cs). Frames that
/// are neither (ARP), and IPv6 neighbour discovery, go to worker 0, which shares what it learns
/// with the others.
/// A later IPv4 fragment to a local address carries no port and is steered by its source, as IPv6
/// ones are (docs/designs/multi-core-workers.md, "Fragments").
/// ICMP errors are steered by the packet they quote (assuming a 20-byte quoted header); an error
/// from a router about a reply (quoting VIP → client, sent by someone other than the client) is
/// steered by its sender and may reach a worker that does not know the connection: it is then
/// dropped as NoConnection. A VLAN tag shifts the offsets: steering assumes untagged frames.
/// </remarks>
public static partial class FlowSteering
{
    // The kernel runs a fanout program on received frames whose data starts at the network header
    // (and on outgoing ones at the Ethernet header), so every load is relative to the network
    // header (SKF_NET_OFF) and the ethertype comes from the ancillary protocol field.
    private const uint Net = NetworkOffset;

    /// <summary>The key mask: the AND of the persistence netmasks of the persistent services (all ones when none).</summary>
    public static uint KeyMask(LvsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var mask = uint.MaxValue;
        foreach (var service in snapshot.Config.VirtualServices)
        {
            if (service.PersistenceTimeout is not null)
            {
                mask &= service.PersistenceNetmask;
            }
        }

        return mask;
    }

    /// <summary>The worker of a client key (an address already masked).</summary>
    public static int Owner(uint key, int workers)
    {
        var h = key ^ (key >> 16);
        h ^= h >> 8;
        return (int)(h % (uint)workers);
    }

    /// <summary>The worker that owns <paramref name="frame"/> (an Ethernet frame), as the fanout program decides.</summary>
    public static int Owner(ReadOnlySpan<byte> frame, LvsSnapshot snapshot, int workers)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return (int)(Run(BuildProgram(snapshot, workers), frame) % (uint)workers);
    }

    /// <summary>Builds the steering program for <paramref name="workers"/> workers over the snapshot's VIPs and local addresses.</summary>
    public static ClassicBpfInstruction[] BuildProgram(LvsSnapshot snapshot, int workers)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var mask = KeyMask(snapshot);
        var program = new ProgramBuilder();

        // IPv6 first (its section only jumps forward, to the shared fold); not IPv4 either (ARP): worker 0.
        program.Add(Statement(Ld | W | Abs, AncillaryProtocol));
        program.JumpIfNot(0x86DD, "ipv4");
        AddIpv6(program, snapshot);
        program.Label("ipv4");
        program.JumpIfNot(0x0800, "ret0");
        program.Add(Statement(Ldx | B | Msh, Net));
        program.Add(Statement(Ld | W | Abs, Net + 16));
        foreach (var local in snapshot.LocalAddresses)
        {
            program.JumpIf(local, "local");
        }

        foreach (var vip in snapshot.VirtualAddresses)
        {
            program.JumpIf(vip, "vip");
        }

        // Anything else (a NAT reply, an ICMP error from a NAT server): the destination is the client.
        program.Add(Statement(Jmp | Ja), "hash");

        // To a local address: the local port (ICMP: the quoted packet's source port). A later
        // fragment has no port: its source (the real server) is the key.
        program.Label("local");
        program.Add(Statement(Ld | H | Abs, Net + 6));
        program.Add(Statement(Alu | And | SrcK, 0x1FFF));
        program.JumpIfNot(0, "vip-source");
        program.Add(Statement(Ld | B | Abs, Net + 9));
        program.JumpIfNot(1, "local-port");
        program.Add(Statement(Ld | H | Ind, Net + 8 + 20));
        program.Add(Statement(Jmp | Ja), "mod");
        program.Label("local-port");
        program.Add(Statement(Ld | H | Ind, Net + 2));
        program.Add(Statement(Jmp | Ja), "mod");

        // To a VIP: the source is the client (ICMP errors: the quoted packet's destination).
        program.Label("vip");
        program.Add(Statement(Ld | B | Abs, Net + 9));
        program.JumpIfNot(1, "vip-source");
        program.Add(Statement(Ld | B | Ind, Net));
        program.JumpIf(8, "vip-source");
        program.Add(Statement(Ld | W | Ind, Net + 8 + 16));
        program.Add(Statement(Jmp | Ja), "hash");
        program.Label("vip-source");
        program.Add(Statement(Ld | W | Abs, Net + 12));

        // The client key: masked, then folded as Owner(uint, int) folds it.
        program.Label("hash");
        program.Add(Statement(Alu | And | SrcK, mask));
        program.Label("fold");
        program.Add(Statement(Misc | Tax));
        program.Add(Statement(Alu | Rsh | SrcK, 16));
        program.Add(Statement(Alu | Xor | SrcX));
        program.Add(Statement(Misc | Tax));
        program.Add(Statement(Alu | Rsh | SrcK, 8));
        program.Add(Statement(Alu | Xor | SrcX));
        program.Label("mod");
        program.Add(Statement(Alu | Mod | SrcK, (uint)workers));
        program.Add(Statement(Ret | RetA));
        program.Label("ret0");
        program.Add(Statement(Ret | SrcK, 0));
        return program.Build();
    }

    /// <summary>Assembles a program with named forward labels (jumps to labels use <c>ja</c>, whose offset has 32 bits).</summary>
    internal sealed class ProgramBuilder
    {
        private readonly List<(ClassicBpfInstruction Instruction, string? Target)> _code = [];
        private readonly Dictionary<string, int> _labels = [];

        public void Add(ClassicBpfInstruction instruction, string? target = null) => _code.Add((instruction, target));

        public void Label(string name) => _labels[name] = _code.Count;

        /// <summary>If A == k, go to <paramref name="label"/>.</summary>
        public void JumpIf(uint k, string label)
        {
            Add(Jump(Jmp | Jeq | SrcK, k, 0, 1));
            Add(Statement(Jmp | Ja), label);
        }

        /// <summary>If A != k, go to <paramref name="label"/>.</summary>
        public void JumpIfNot(uint k, string label)
        {
            Add(Jump(Jmp | Jeq | SrcK, k, 1, 0));
            Add(Statement(Jmp | Ja), label);
        }

        public ClassicBpfInstruction[] Build()
        {
            var program = new ClassicBpfInstruction[_code.Count];
            for (var i = 0; i < _code.Count; i++)
            {
                var (instruction, target) = _code[i];
                program[i] = target is null ? instruction : instruction with { K = (uint)(_labels[target] - i - 1) };
            }

            if (program.Length > MaxInstructions)
            {
                throw new InvalidOperationException($"the steering program has {program.Length} instructions (the kernel takes {MaxInstructions}): too many VIPs and local addresses for several workers");
            }

            return program;
        }
    }
}

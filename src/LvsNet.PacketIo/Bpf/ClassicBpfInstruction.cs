using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.Bpf;

/// <summary>
/// One classic BPF instruction, laid out as the kernel's <c>struct sock_filter</c> (8 bytes), for
/// programs the project builds itself (for example a <c>PACKET_FANOUT_CBPF</c> steering program).
/// </summary>
/// <param name="Code">The opcode (class | size | mode, or class | operation | source).</param>
/// <param name="JumpTrue">Conditional jumps: instructions to skip when true.</param>
/// <param name="JumpFalse">Conditional jumps: instructions to skip when false.</param>
/// <param name="K">The constant operand.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct ClassicBpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    /// <summary>The most instructions the kernel accepts in a classic program (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    // Classes, sizes, modes, operations and sources of linux/filter.h.
#pragma warning disable CS1591 // the names are the kernel's.
    public const ushort Ld = 0x00, Ldx = 0x01, St = 0x02, Stx = 0x03, Alu = 0x04, Jmp = 0x05, Ret = 0x06, Misc = 0x07;
    public const ushort W = 0x00, H = 0x08, B = 0x10;
    public const ushort Imm = 0x00, Abs = 0x20, Ind = 0x40, Mem = 0x60, Msh = 0xa0;
    public const ushort Add = 0x00, Lsh = 0x60, And = 0x50, Rsh = 0x70, Mod = 0x90, Xor = 0xa0;
    public const ushort Ja = 0x00, Jeq = 0x10;
    public const ushort SrcK = 0x00, SrcX = 0x08, RetA = 0x10;
    public const ushort Tax = 0x00, Txa = 0x80;
#pragma warning restore CS1591

    /// <summary>The scratch memory words a classic program has (BPF_MEMWORDS).</summary>
    public const int MemoryWords = 16;

    /// <summary>SKF_AD_OFF + SKF_AD_PROTOCOL: the ancillary load of the frame's ethertype (skb->protocol).</summary>
    public const uint AncillaryProtocol = unchecked((uint)-0x1000);

    /// <summary>SKF_NET_OFF: offsets from here on are relative to the network header, wherever the frame's data starts.</summary>
    public const uint NetworkOffset = unchecked((uint)-0x100000);

    /// <summary>The size of one instruction in bytes.</summary>
    public static unsafe int Size => sizeof(ClassicBpfInstruction);

    /// <summary>A statement (no jump).</summary>
    public static ClassicBpfInstruction Statement(ushort code, uint k = 0) => new(code, 0, 0, k);

    /// <summary>A conditional jump.</summary>
    public static ClassicBpfInstruction Jump(ushort code, uint k, byte jumpTrue, byte jumpFalse) => new(code, jumpTrue, jumpFalse, k);

    /// <summary>
    /// Runs a program over <paramref name="packet"/> (an untagged Ethernet frame) the way the
    /// kernel's interpreter does (for tests and diagnostics: the kernel runs the real thing).
    /// Out-of-bounds loads end the program with 0, as in the kernel; network-relative loads
    /// (<see cref="NetworkOffset"/>) read from byte 14, and <see cref="AncillaryProtocol"/> is the
    /// ethertype.
    /// </summary>
    /// <returns>The program's return value.</returns>
    public static uint Run(ReadOnlySpan<ClassicBpfInstruction> program, ReadOnlySpan<byte> packet)
    {
        const int EthernetLength = 14;
        static long Resolve(long offset) => offset >= unchecked((int)NetworkOffset) && offset < unchecked((int)NetworkOffset) + 0x100000 - 0x1000
            ? offset - unchecked((int)NetworkOffset) + EthernetLength
            : offset;

        uint a = 0, x = 0;
        Span<uint> memory = stackalloc uint[MemoryWords];
        memory.Clear();
        for (var pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            var cls = (ushort)(i.Code & 0x07);
            switch (cls)
            {
                case Ld:
                case Ldx:
                {
                    var mode = (ushort)(i.Code & 0xe0);
                    var size = (ushort)(i.Code & 0x18);
                    if (cls == Ldx)
                    {
                        if (mode == Mem)
                        {
                            x = memory[(int)(i.K % MemoryWords)];
                        }
                        else if (mode == Msh)
                        {
                            var at = Resolve(unchecked((int)i.K));
                            if (at < 0 || at >= packet.Length)
                            {
                                return 0;
                            }

                            x = (uint)(packet[(int)at] & 0x0f) * 4;
                        }
                        else
                        {
                            x = i.K;
                        }

                        break;
                    }

                    if (mode == Imm)
                    {
                        a = i.K;
                        break;
                    }

                    if (mode == Mem)
                    {
                        a = memory[(int)(i.K % MemoryWords)];
                        break;
                    }

                    if (mode == Abs && i.K == AncillaryProtocol)
                    {
                        a = packet.Length >= EthernetLength ? (uint)((packet[12] << 8) | packet[13]) : 0;
                        break;
                    }

                    var offset = Resolve(unchecked((int)i.K) + (mode == Ind ? (long)x : 0));
                    var length = size == W ? 4 : size == H ? 2 : 1;
                    if (offset < 0 || offset + length > packet.Length)
                    {
                        return 0;
                    }

                    var bytes = packet.Slice((int)offset);
                    a = length == 4 ? (uint)((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) : length == 2 ? (uint)((bytes[0] << 8) | bytes[1]) : bytes[0];
                    break;
                }

                case St:
                    memory[(int)(i.K % MemoryWords)] = a;
                    break;
                case Stx:
                    memory[(int)(i.K % MemoryWords)] = x;
                    break;
                case Alu:
                {
                    var operand = (i.Code & SrcX) != 0 ? x : i.K;
                    switch (i.Code & 0xf0)
                    {
                        case Add: a += operand; break;
                        case And: a &= operand; break;
                        case Lsh: a <<= (int)operand; break;
                        case Rsh: a >>= (int)operand; break;
                        case Mod:
                            if (operand == 0)
                            {
                                return 0;
                            }

                            a %= operand;
                            break;
                        case Xor: a ^= operand; break;
                        default: throw new NotSupportedException($"ALU operation 0x{i.Code:x2}");
                    }

                    break;
                }

                case Jmp:
                    if ((i.Code & 0xf0) == Ja)
                    {
                        pc += (int)i.K;
                    }
                    else if ((i.Code & 0xf0) == Jeq)
                    {
                        pc += a == ((i.Code & SrcX) != 0 ? x : i.K) ? i.JumpTrue : i.JumpFalse;
                    }
                    else
                    {
                        throw new NotSupportedException($"jump 0x{i.Code:x2}");
                    }

                    break;
                case Ret:
                    return (i.Code & 0x18) == RetA ? a : i.K;
                case Misc:
                    if ((i.Code & 0xf8) == Txa)
                    {
                        a = x;
                    }
                    else
                    {
                        x = a;
                    }

                    break;
                default:
                    throw new NotSupportedException($"class 0x{cls:x2}");
            }
        }

        return 0;
    }
}

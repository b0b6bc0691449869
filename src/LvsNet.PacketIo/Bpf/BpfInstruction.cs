using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.Bpf;

/// <summary>One eBPF instruction, <c>struct bpf_insn</c> (8 bytes), with constructors for the forms the XDP program uses.</summary>
/// <remarks>
/// Layout: opcode, a byte holding the destination register in its low nibble and the source register in
/// its high nibble (little-endian bitfields), a signed 16-bit offset and a signed 32-bit immediate.
/// Encodings follow the kernel's instruction-set document (Documentation/bpf/standardization/instruction-set.rst).
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct BpfInstruction : IEquatable<BpfInstruction>
{
    // Instruction classes.
    private const byte ClassLd = 0x00;
    private const byte ClassLdx = 0x01;
    private const byte ClassStx = 0x03;
    private const byte ClassJmp = 0x05;
    private const byte ClassJmp32 = 0x06;
    private const byte ClassAlu64 = 0x07;

    // Load/store sizes and modes.
    private const byte SizeW = 0x00;
    private const byte SizeH = 0x08;
    private const byte SizeB = 0x10;
    private const byte SizeDw = 0x18;
    private const byte ModeImm = 0x00;
    private const byte ModeMem = 0x60;

    // Operand source: immediate (K) or register (X).
    private const byte SourceK = 0x00;
    private const byte SourceX = 0x08;

    // ALU and jump operations.
    private const byte AluAdd = 0x00;
    private const byte AluAnd = 0x50;
    private const byte AluMov = 0xb0;
    private const byte JumpAlways = 0x00;
    private const byte JumpEqual = 0x10;
    private const byte JumpGreater = 0x20;
    private const byte JumpSet = 0x40;
    private const byte JumpNotEqual = 0x50;
    private const byte JumpCall = 0x80;
    private const byte JumpExit = 0x90;

    /// <summary>BPF_PSEUDO_MAP_FD: the source-register value that marks a 64-bit immediate as a map descriptor.</summary>
    private const byte PseudoMapFd = 1;

    /// <summary>BPF_PSEUDO_KFUNC_CALL: the source-register value that marks a call's immediate as the BTF id of a kernel function.</summary>
    private const byte PseudoKernelFunctionCall = 2;

    private BpfInstruction(byte opcode, byte destination, byte source, short offset, int immediate)
    {
        Opcode = opcode;
        Registers = (byte)((destination & 0x0f) | ((source & 0x0f) << 4));
        Offset = offset;
        Immediate = immediate;
    }

    /// <summary>The opcode byte.</summary>
    public byte Opcode { get; }

    /// <summary>Destination register (low nibble) and source register (high nibble).</summary>
    public byte Registers { get; }

    /// <summary>The signed offset (memory displacement or jump distance in instructions).</summary>
    public short Offset { get; }

    /// <summary>The signed immediate.</summary>
    public int Immediate { get; }

    /// <summary><c>dst = src</c> (64-bit).</summary>
    public static BpfInstruction MovRegister(BpfRegister destination, BpfRegister source) =>
        new(ClassAlu64 | AluMov | SourceX, (byte)destination, (byte)source, 0, 0);

    /// <summary><c>dst = imm</c> (64-bit, sign-extended).</summary>
    public static BpfInstruction MovImmediate(BpfRegister destination, int immediate) =>
        new(ClassAlu64 | AluMov | SourceK, (byte)destination, 0, 0, immediate);

    /// <summary><c>dst += imm</c> (64-bit).</summary>
    public static BpfInstruction AddImmediate(BpfRegister destination, int immediate) =>
        new(ClassAlu64 | AluAdd | SourceK, (byte)destination, 0, 0, immediate);

    /// <summary><c>dst = *(u32 *)(src + offset)</c>.</summary>
    public static BpfInstruction LoadWord(BpfRegister destination, BpfRegister source, short offset) =>
        new(ClassLdx | ModeMem | SizeW, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>dst = *(u16 *)(src + offset)</c>.</summary>
    public static BpfInstruction LoadHalfWord(BpfRegister destination, BpfRegister source, short offset) =>
        new(ClassLdx | ModeMem | SizeH, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>dst = *(u8 *)(src + offset)</c>.</summary>
    public static BpfInstruction LoadByte(BpfRegister destination, BpfRegister source, short offset) =>
        new(ClassLdx | ModeMem | SizeB, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>dst = *(u64 *)(src + offset)</c>.</summary>
    public static BpfInstruction LoadDoubleWord(BpfRegister destination, BpfRegister source, short offset) =>
        new(ClassLdx | ModeMem | SizeDw, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>*(u64 *)(dst + offset) = src</c>.</summary>
    public static BpfInstruction StoreDoubleWord(BpfRegister destination, short offset, BpfRegister source) =>
        new(ClassStx | ModeMem | SizeDw, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>dst &amp;= immediate</c> (64-bit).</summary>
    public static BpfInstruction AndImmediate(BpfRegister destination, int immediate) =>
        new(ClassAlu64 | AluAnd | SourceK, (byte)destination, 0, 0, immediate);

    /// <summary><c>*(u32 *)(dst + offset) = src</c>.</summary>
    public static BpfInstruction StoreWord(BpfRegister destination, short offset, BpfRegister source) =>
        new(ClassStx | ModeMem | SizeW, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>*(u16 *)(dst + offset) = src</c>.</summary>
    public static BpfInstruction StoreHalfWord(BpfRegister destination, short offset, BpfRegister source) =>
        new(ClassStx | ModeMem | SizeH, (byte)destination, (byte)source, offset, 0);

    /// <summary>The first half of <c>dst = map</c> (a 16-byte load of a map descriptor); follow it with <see cref="LoadImmediate64Tail"/>.</summary>
    public static BpfInstruction LoadMapFd(BpfRegister destination, int mapFd) =>
        new(ClassLd | ModeImm | SizeDw, (byte)destination, PseudoMapFd, 0, mapFd);

    /// <summary>The second half of a 64-bit immediate load (upper 32 bits, zero for a map descriptor).</summary>
    public static BpfInstruction LoadImmediate64Tail() => new(0, 0, 0, 0, 0);

    /// <summary><c>goto +offset</c>.</summary>
    public static BpfInstruction Jump(short offset) => new(ClassJmp | JumpAlways, 0, 0, offset, 0);

    /// <summary><c>if dst &gt; src goto +offset</c> (unsigned).</summary>
    public static BpfInstruction JumpIfGreater(BpfRegister destination, BpfRegister source, short offset) =>
        new(ClassJmp | JumpGreater | SourceX, (byte)destination, (byte)source, offset, 0);

    /// <summary><c>if dst == imm goto +offset</c>.</summary>
    public static BpfInstruction JumpIfEqual(BpfRegister destination, int immediate, short offset) =>
        new(ClassJmp | JumpEqual | SourceK, (byte)destination, 0, offset, immediate);

    /// <summary><c>if (u32)dst == (u32)imm goto +offset</c>: compares the low 32 bits only (an <c>int</c> result of a kfunc).</summary>
    public static BpfInstruction JumpIfEqual32(BpfRegister destination, int immediate, short offset) =>
        new(ClassJmp32 | JumpEqual | SourceK, (byte)destination, 0, offset, immediate);

    /// <summary><c>if dst != imm goto +offset</c>.</summary>
    public static BpfInstruction JumpIfNotEqual(BpfRegister destination, int immediate, short offset) =>
        new(ClassJmp | JumpNotEqual | SourceK, (byte)destination, 0, offset, immediate);

    /// <summary><c>if dst &amp; imm goto +offset</c>.</summary>
    public static BpfInstruction JumpIfAnySet(BpfRegister destination, int immediate, short offset) =>
        new(ClassJmp | JumpSet | SourceK, (byte)destination, 0, offset, immediate);

    /// <summary>Calls the kernel helper numbered <paramref name="helper"/>.</summary>
    public static BpfInstruction Call(int helper) => new(ClassJmp | JumpCall, 0, 0, 0, helper);

    /// <summary>
    /// Calls the kernel function (kfunc) whose BTF_KIND_FUNC type in the kernel's own BTF (vmlinux, hence
    /// offset 0, no module descriptor) has id <paramref name="btfTypeId"/>; arguments in r1-r5, result in r0.
    /// </summary>
    public static BpfInstruction CallKernelFunction(int btfTypeId) => new(ClassJmp | JumpCall, 0, PseudoKernelFunctionCall, 0, btfTypeId);

    /// <summary>Returns r0.</summary>
    public static BpfInstruction Exit() => new(ClassJmp | JumpExit, 0, 0, 0, 0);

    /// <summary>This instruction with its jump offset replaced (used to resolve forward labels).</summary>
    public BpfInstruction WithOffset(short offset) => new(Opcode, (byte)(Registers & 0x0f), (byte)(Registers >> 4), offset, Immediate);

    /// <inheritdoc/>
    public bool Equals(BpfInstruction other) =>
        Opcode == other.Opcode && Registers == other.Registers && Offset == other.Offset && Immediate == other.Immediate;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BpfInstruction other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Opcode, Registers, Offset, Immediate);

    /// <inheritdoc/>
    public override string ToString() => $"{Opcode:x2} {Registers:x2} {Offset} {Immediate}";
}

namespace LvsNet.PacketIo.Bpf;

/// <summary>The eBPF registers: r0 return value, r1-r5 arguments (clobbered by calls), r6-r9 callee-saved, r10 read-only frame pointer.</summary>
internal enum BpfRegister : byte
{
    R0 = 0,
    R1 = 1,
    R2 = 2,
    R3 = 3,
    R4 = 4,
    R5 = 5,
    R6 = 6,
    R7 = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,
}

using System.Runtime.InteropServices;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Bpf;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>The eBPF encoder and the address-filter program: encodings, jump resolution, and the kernel's verdict.</summary>
public sealed class AfXdpProgramTests
{
    [Fact]
    public void Instructions_EncodeAsTheKernelDefinesThem()
    {
        // Reference encodings from the instruction-set document (opcode, dst | src << 4, offset, immediate).
        Assert.Equal([0xbf, 0x16, 0, 0, 0, 0, 0, 0], Bytes(BpfInstruction.MovRegister(BpfRegister.R6, BpfRegister.R1)));
        Assert.Equal([0xb7, 0x00, 0, 0, 2, 0, 0, 0], Bytes(BpfInstruction.MovImmediate(BpfRegister.R0, 2)));
        Assert.Equal([0x07, 0x02, 0, 0, 0xfc, 0xff, 0xff, 0xff], Bytes(BpfInstruction.AddImmediate(BpfRegister.R2, -4)));
        Assert.Equal([0x61, 0x62, 0x10, 0, 0, 0, 0, 0], Bytes(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, 16)));
        Assert.Equal([0x69, 0x25, 0x0c, 0, 0, 0, 0, 0], Bytes(BpfInstruction.LoadHalfWord(BpfRegister.R5, BpfRegister.R2, 12)));
        Assert.Equal([0x71, 0x28, 0x14, 0, 0, 0, 0, 0], Bytes(BpfInstruction.LoadByte(BpfRegister.R8, BpfRegister.R2, 20)));
        Assert.Equal([0x79, 0x21, 0x26, 0, 0, 0, 0, 0], Bytes(BpfInstruction.LoadDoubleWord(BpfRegister.R1, BpfRegister.R2, 38)));
        Assert.Equal([0x7b, 0x1a, 0xf0, 0xff, 0, 0, 0, 0], Bytes(BpfInstruction.StoreDoubleWord(BpfRegister.R10, -16, BpfRegister.R1)));
        Assert.Equal([0x57, 0x01, 0, 0, 0xff, 0xc0, 0, 0], Bytes(BpfInstruction.AndImmediate(BpfRegister.R1, 0xc0ff)));
        Assert.Equal([0x63, 0x5a, 0xfc, 0xff, 0, 0, 0, 0], Bytes(BpfInstruction.StoreWord(BpfRegister.R10, -4, BpfRegister.R5)));
        Assert.Equal([0x18, 0x11, 0, 0, 7, 0, 0, 0], Bytes(BpfInstruction.LoadMapFd(BpfRegister.R1, 7)));
        Assert.Equal([0x2d, 0x34, 3, 0, 0, 0, 0, 0], Bytes(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 3)));
        Assert.Equal([0x15, 0x05, 1, 0, 0x08, 0x06, 0, 0], Bytes(BpfInstruction.JumpIfEqual(BpfRegister.R5, 0x0608, 1)));
        Assert.Equal([0x55, 0x05, 1, 0, 0x08, 0, 0, 0], Bytes(BpfInstruction.JumpIfNotEqual(BpfRegister.R5, 0x0008, 1)));
        Assert.Equal([0x45, 0x01, 2, 0, 4, 0, 0, 0], Bytes(BpfInstruction.JumpIfAnySet(BpfRegister.R1, 4, 2)));
        Assert.Equal([0x05, 0, 0xfe, 0xff, 0, 0, 0, 0], Bytes(BpfInstruction.Jump(-2)));
        Assert.Equal([0x85, 0, 0, 0, 51, 0, 0, 0], Bytes(BpfInstruction.Call(51)));
        Assert.Equal([0x95, 0, 0, 0, 0, 0, 0, 0], Bytes(BpfInstruction.Exit()));

        // BPF_JMP32 | BPF_JEQ | BPF_K compares the low 32 bits; a kfunc call is BPF_CALL with src_reg
        // BPF_PSEUDO_KFUNC_CALL (2) and the BTF id as immediate (65601 = 0x10041).
        Assert.Equal([0x16, 0x00, 3, 0, 0xa1, 0xff, 0xff, 0xff], Bytes(BpfInstruction.JumpIfEqual32(BpfRegister.R0, -95, 3)));
        Assert.Equal([0x85, 0x20, 0, 0, 0x41, 0x00, 0x01, 0x00], Bytes(BpfInstruction.CallKernelFunction(65601)));
    }

    [Fact]
    public void Build_WithTheVlanMetadataCheck_ResolvesEveryJumpAndCallsTheKfuncOnce()
    {
        var program = XdpAddressFilterProgram.Build(addressMapFd: 3, address6MapFd: 5, xskMapFd: 4, vlanMetadata: (KernelFunctionId: 4242, CounterMapFd: 6));
        for (var i = 0; i < program.Length; i++)
        {
            var opcode = program[i].Opcode;
            var isJump = (opcode & 0x07) is 0x05 or 0x06 && opcode is not (0x85 or 0x95);
            if (isJump)
            {
                Assert.InRange(i + 1 + program[i].Offset, i + 1, program.Length - 1);
            }
        }

        Assert.Single(program, instruction => instruction.Equals(BpfInstruction.CallKernelFunction(4242)));
    }

    [Fact]
    public void Build_ResolvesEveryJumpInsideTheProgram()
    {
        var program = XdpAddressFilterProgram.Build(addressMapFd: 3, address6MapFd: 5, xskMapFd: 4);

        Assert.InRange(program.Length, 56, 4096);
        Assert.Equal(BpfInstruction.Exit(), program[^1]);
        for (var i = 0; i < program.Length; i++)
        {
            var opcode = program[i].Opcode;
            var isJump = (opcode & 0x07) == 0x05 && opcode is not (0x85 or 0x95);
            if (isJump)
            {
                var target = i + 1 + program[i].Offset;
                Assert.InRange(target, i + 1, program.Length - 1);
            }
        }

        // Every path that does not redirect ends in "r0 = XDP_PASS; exit".
        Assert.Equal(BpfInstruction.MovImmediate(BpfRegister.R0, XdpAddressFilterProgram.XdpPass), program[^2]);
    }

    [RequiresRootFact]
    public void LoadXdpProgram_RefusedByVerifier_ExceptionCarriesTheLogAndTheFallback()
    {
        // "exit" without setting r0: the verifier refuses with "R0 !read_ok".
        var exception = Assert.Throws<XdpException>(() => BpfSystem.LoadXdpProgram([BpfInstruction.Exit()], "lvs_bad"));

        Assert.Equal("bpf(BPF_PROG_LOAD, lvs_bad)", exception.Step);
        Assert.Contains("verifier log", exception.Message, StringComparison.Ordinal);
        Assert.Contains("R0", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'pcap' or 'afpacket' backend", exception.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void LoadXdpProgram_AddressFilter_IsAcceptedByTheVerifier()
    {
        using var addresses = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 4, 4, 16, "lvs_test_addr");
        using var addresses6 = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 16, 4, 16, "lvs_test_addr6");
        using var xsks = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, 1, "lvs_test_xsks");

        using var program = BpfSystem.LoadXdpProgram(
            XdpAddressFilterProgram.Build(addresses.FileDescriptor, addresses6.FileDescriptor, xsks.FileDescriptor), "lvs_test");

        Assert.False(program.IsInvalid);
        Assert.Equal(0, BpfSystem.UpdateElement(addresses, 0x0100000a, XdpAddressFilterProgram.Owned | XdpAddressFilterProgram.Host));
        Assert.Equal(0, BpfSystem.DeleteElement(addresses, 0x0100000a));
    }

    [RequiresRootFact]
    public void LoadXdpProgram_VlanMetadataCheckWithoutABoundDevice_IsRefusedForThatReason()
    {
        // The kernel itself recognises the call as its XDP metadata kfunc: unbound, the verifier refuses it,
        // naming the missing binding (the id found by BtfReader must be the kfunc's, or the refusal differs).
        var kernelFunction = KernelBtf.FindFunction(XdpVlanMetadataCheck.KernelFunctionName, out var problem);
        Assert.True(kernelFunction > 0, problem);
        using var addresses = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 4, 4, 16, "lvs_test_addr");
        using var addresses6 = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_HASH, 16, 4, 16, "lvs_test_addr6");
        using var xsks = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, 1, "lvs_test_xsks");
        using var counters = BpfSystem.CreateMap(Interop.Bpf.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, "lvs_test_counts");

        var program = XdpAddressFilterProgram.Build(addresses.FileDescriptor, addresses6.FileDescriptor, xsks.FileDescriptor,
            vlanMetadata: (kernelFunction, counters.FileDescriptor));
        var exception = Assert.Throws<XdpException>(() => BpfSystem.LoadXdpProgram(program, "lvs_test_unbound"));
        Assert.Contains("device-bound", exception.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(BpfInstruction instruction) =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<BpfInstruction>(in instruction)).ToArray();
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo.Pcap;

/// <summary>
/// Owns a natively allocated <c>struct bpf_program</c> and the instructions <c>pcap_compile</c>
/// stores in it (released with <c>pcap_freecode</c>).
/// </summary>
internal sealed unsafe class BpfProgramHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Allocates a zeroed <c>struct bpf_program</c> for <c>pcap_compile</c> to fill.</summary>
    public BpfProgramHandle()
        : base(ownsHandle: true)
    {
        // Zeroed, so pcap_freecode is safe even when pcap_compile failed (it skips a NULL bf_insns).
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(Interop.Pcap.BpfProgram)));
    }

    /// <summary>The number of instructions in the compiled program (0 before compilation).</summary>
    public int InstructionCount
    {
        get
        {
            var added = false;
            try
            {
                DangerousAddRef(ref added);
                return (int)((Interop.Pcap.BpfProgram*)handle)->Length;
            }
            finally
            {
                if (added)
                {
                    DangerousRelease();
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Pcap.pcap_freecode(handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}

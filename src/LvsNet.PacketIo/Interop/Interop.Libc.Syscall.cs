using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>__NR_bpf on x86_64.</summary>
        internal const nint SYS_bpf_x64 = 321;

        /// <summary>__NR_bpf on arm64 (the generic syscall table).</summary>
        internal const nint SYS_bpf_arm64 = 280;

        // long syscall(long number, ...);
        // Declared with three fixed register-sized arguments: glibc's syscall() is a register shuffle that
        // never reads variadic floating-point state, so the fixed-argument call is equivalent on x86_64
        // and arm64 Linux.
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint syscall(nint number, nint arg1, nint arg2, nint arg3);
    }
}

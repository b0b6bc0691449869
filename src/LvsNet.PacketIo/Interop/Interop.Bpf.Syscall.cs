using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Bpf
    {
        private static readonly nint SyscallNumber = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => Libc.SYS_bpf_x64,
            Architecture.Arm64 => Libc.SYS_bpf_arm64,
            _ => 0,
        };

        /// <summary>
        /// int bpf(int cmd, union bpf_attr *attr, unsigned int size); glibc has no wrapper, so it goes
        /// through syscall(2). <paramref name="attr"/> is copied into a zeroed buffer of the full union size:
        /// the kernel rejects a non-zero byte past the fields a command knows (E2BIG/EINVAL).
        /// </summary>
        /// <returns>The syscall's result; -1 with errno (read with <see cref="Marshal.GetLastPInvokeError"/>) on failure.</returns>
        internal static int Call<TAttr>(int command, ref TAttr attr)
            where TAttr : unmanaged
        {
            if (SyscallNumber == 0)
            {
                throw new PlatformNotSupportedException($"bpf(2) is only wired for x86_64 and arm64, not {RuntimeInformation.ProcessArchitecture}.");
            }

            var buffer = stackalloc byte[BpfAttrSize];
            new Span<byte>(buffer, BpfAttrSize).Clear();
            *(TAttr*)buffer = attr;
            var result = (int)Libc.syscall(SyscallNumber, command, (nint)buffer, sizeof(TAttr));
            attr = *(TAttr*)buffer;
            return result;
        }
    }
}

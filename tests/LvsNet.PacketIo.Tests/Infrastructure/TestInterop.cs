using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>The few libc calls the lab tests need to place a thread in a namespace or drop a capability.</summary>
internal static unsafe partial class TestInterop
{
    /// <summary>CLONE_NEWNET.</summary>
    public const int CloneNewNet = 0x40000000;

    /// <summary>CAP_NET_RAW.</summary>
    public const int CapNetRaw = 13;

    /// <summary>_LINUX_CAPABILITY_VERSION_3 (two data words).</summary>
    private const uint CapabilityVersion3 = 0x20080522;

    // int setns(int fd, int nstype); affects the calling thread only.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    // int capget(cap_user_header_t hdrp, cap_user_data_t datap);
    [LibraryImport("libc", SetLastError = true)]
    private static partial int capget(CapHeader* header, CapData* data);

    // int capset(cap_user_header_t hdrp, const cap_user_data_t datap); the raw call affects the calling thread only.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int capset(CapHeader* header, CapData* data);

    /// <summary>Removes <paramref name="capability"/> from the calling thread's effective set.</summary>
    public static void DropEffectiveCapability(int capability)
    {
        var header = new CapHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = stackalloc CapData[2];
        if (capget(&header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        }

        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (capset(&header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
}

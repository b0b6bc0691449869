using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo.Pcap;

/// <summary>Throws from the hot paths without inflating them.</summary>
internal static class ThrowHelper
{
    /// <summary>Throws for a failed <c>pcap_next_ex</c> on a raw handle the caller keeps alive.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowReadFailed(string device, int status, nint pcap)
    {
        throw PcapException.FromStatus("pcap_next_ex", device, status, PcapLibrary.GetError(pcap));
    }
}

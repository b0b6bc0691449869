using System.Runtime.InteropServices;
using Xunit;

namespace LvsNet.PacketIo.Tests.Pcap;

public sealed class PcapPacketHeaderTests
{
    [Fact]
    public unsafe void SizeOf_Linux64_Is24Bytes()
    {
        Assert.Equal(24, sizeof(Interop.Pcap.PcapPacketHeader));
        Assert.Equal(Interop.Pcap.PcapPacketHeader.NativeSize, sizeof(Interop.Pcap.PcapPacketHeader));
    }

    [Fact]
    public void FieldOffsets_Linux64_MatchStructPcapPkthdr()
    {
        // struct timeval { time_t tv_sec; suseconds_t tv_usec; } then bpf_u_int32 caplen, len.
        Assert.Equal(0, (int)Marshal.OffsetOf<Interop.Pcap.PcapPacketHeader>(nameof(Interop.Pcap.PcapPacketHeader.TimestampSeconds)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Pcap.PcapPacketHeader>(nameof(Interop.Pcap.PcapPacketHeader.TimestampMicroseconds)));
        Assert.Equal(16, (int)Marshal.OffsetOf<Interop.Pcap.PcapPacketHeader>(nameof(Interop.Pcap.PcapPacketHeader.CaptureLength)));
        Assert.Equal(20, (int)Marshal.OffsetOf<Interop.Pcap.PcapPacketHeader>(nameof(Interop.Pcap.PcapPacketHeader.WireLength)));
    }

    [Fact]
    public unsafe void OtherStructs_Linux64_MatchNativeSizes()
    {
        Assert.Equal(16, sizeof(Interop.Pcap.BpfProgram));
        Assert.Equal(12, sizeof(Interop.Pcap.PcapStat));
        Assert.Equal(8, sizeof(Interop.Libc.PollFd));
    }
}

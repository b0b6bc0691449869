using System.Buffers.Binary;
using System.Text;
using LvsNet.PacketIo.Files;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Files;

public sealed class PcapFileWriterTests
{
    private static readonly byte[] ClientMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] ServerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    private static readonly byte[] ClientIp = [192, 0, 2, 1];
    private static readonly byte[] ServerIp = [192, 0, 2, 2];
    private static readonly DateTimeOffset First = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(10);
    private static readonly DateTimeOffset Second = DateTimeOffset.FromUnixTimeSeconds(1_700_000_001).AddMilliseconds(250);

    [RequiresProgramFact("tcpdump")]
    public void Write_ArpAndUdpFrames_TcpdumpDecodesThem()
    {
        using var file = new TempFile();
        using (var writer = PcapFileWriter.Create(file.Path))
        {
            writer.Write(TestFrames.ArpRequest(ClientMac, ClientIp, ServerIp), First);
            writer.Write(TestFrames.Udp(ClientMac, ServerMac, ClientIp, ServerIp, 40000, 9999, "hello"u8), Second);
        }

        // -tt: raw epoch timestamps; -e: link-level header; -vv: verify the IPv4 and UDP checksums.
        var output = ExternalCommand.Run("tcpdump", "-nn", "-tt", "-e", "-vv", "-r", file.Path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("1700000000.000001 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42", lines[0], StringComparison.Ordinal);
        Assert.Contains("Request who-has 192.0.2.2 tell 192.0.2.1, length 28", output, StringComparison.Ordinal);
        Assert.Contains("1700000001.250000 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 47", output, StringComparison.Ordinal);
        Assert.Contains("proto UDP (17), length 33", output, StringComparison.Ordinal);
        Assert.Contains("192.0.2.1.40000 > 192.0.2.2.9999: [udp sum ok] UDP, length 5", output, StringComparison.Ordinal);
        Assert.DoesNotContain("bad cksum", output, StringComparison.Ordinal);
    }

    [RequiresProgramFact("tcpdump")]
    public void Write_FrameLongerThanSnapLength_TcpdumpSeesTruncatedCapture()
    {
        using var file = new TempFile();
        var frame = TestFrames.Udp(ClientMac, ServerMac, ClientIp, ServerIp, 40000, 9999, new byte[200]);
        using (var writer = PcapFileWriter.Create(file.Path, snapLength: 64))
        {
            writer.Write(frame, First);
        }

        var records = PcapFileReader.ReadAll(file.Path);
        Assert.Equal(64, records[0].Data.Length);
        Assert.Equal(frame.Length, records[0].WireLength);
        Assert.Equal(frame.AsSpan(0, 64).ToArray(), records[0].Data);

        // tcpdump still reports the wire length and decodes the headers it has.
        var output = ExternalCommand.Run("tcpdump", "-nn", "-e", "-r", file.Path);
        Assert.Contains($"length {frame.Length}", output, StringComparison.Ordinal);
        Assert.Contains("192.0.2.1.40000 > 192.0.2.2.9999", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Always_WritesClassicHeader()
    {
        using var stream = new MemoryStream();
        using (new PcapFileWriter(stream, leaveOpen: true, snapLength: 1500))
        {
        }

        var header = stream.ToArray();
        Assert.Equal(24, header.Length);
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(header));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12)));
        Assert.Equal(1500u, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20)));
    }

    [Fact]
    public void Write_Record_WritesSecondsMicrosecondsAndLengths()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, leaveOpen: true))
        {
            writer.Write("abc"u8, wireLength: 70, Second);
        }

        var record = stream.ToArray().AsSpan(24);
        Assert.Equal(1_700_000_001u, BinaryPrimitives.ReadUInt32LittleEndian(record));
        Assert.Equal(250_000u, BinaryPrimitives.ReadUInt32LittleEndian(record[4..]));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(record[8..]));
        Assert.Equal(70u, BinaryPrimitives.ReadUInt32LittleEndian(record[12..]));
        Assert.Equal("abc", Encoding.ASCII.GetString(record[16..]));
    }

    [Fact]
    public void Write_TimestampOutsidePcapRange_Throws()
    {
        using var writer = new PcapFileWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write("x"u8, DateTimeOffset.UnixEpoch.AddTicks(-10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write("x"u8, DateTimeOffset.FromUnixTimeSeconds(uint.MaxValue + 1L)));
    }

    [Fact]
    public void Write_SteadyState_AllocatesNothing()
    {
        using var writer = new PcapFileWriter(new MemoryStream(capacity: 1 << 20));
        var frame = TestFrames.Experimental(1, 200);
        writer.Write(frame, First);

        var before = AllocationMeter.Start();
        for (var i = 0; i < 1000; i++)
        {
            writer.Write(frame, First);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using System.Buffers.Binary;
using LvsNet.PacketIo.Files;
using LvsNet.PacketIo.Tests.Infrastructure;
using Xunit;

namespace LvsNet.PacketIo.Tests.Files;

public sealed class PcapFileReaderTests
{
    private static readonly DateTimeOffset Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_560);

    [Fact]
    public void ReadRecords_WrittenByWriter_RoundTrips()
    {
        var frames = new[] { TestFrames.Experimental(1, 60), TestFrames.Experimental(2, 1514), TestFrames.Experimental(3, 18) };
        var bytes = Write(frames);

        using var reader = new PcapFileReader(new MemoryStream(bytes));
        var records = reader.ReadRecords().ToList();

        Assert.Equal(1, reader.LinkType);
        Assert.Equal(65535, reader.SnapLength);
        Assert.False(reader.IsNanosecondResolution);
        Assert.Equal(frames.Length, records.Count);
        for (var i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i], records[i].Data);
            Assert.Equal(frames[i].Length, records[i].WireLength);
            Assert.Equal(Timestamp.AddSeconds(i), records[i].Timestamp);
        }
    }

    [Fact]
    public void ReadNext_AtEnd_ReturnsNull()
    {
        using var reader = new PcapFileReader(new MemoryStream(Write([])));
        Assert.Null(reader.ReadNext());
        Assert.Null(reader.ReadNext());
    }

    [Fact]
    public void ReadRecords_EveryTruncation_EndsAtBoundaryOrThrowsFormatException()
    {
        var frames = new[] { TestFrames.Experimental(1, 60), TestFrames.Experimental(2, 100) };
        var bytes = Write(frames);
        var boundaries = new Dictionary<int, int> { [24] = 0, [24 + 16 + 60] = 1, [bytes.Length] = 2 };

        for (var length = 0; length <= bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            if (boundaries.TryGetValue(length, out var expectedCount))
            {
                Assert.Equal(expectedCount, ReadAll(prefix).Count);
            }
            else
            {
                var exception = Assert.Throws<PcapFileFormatException>(() => ReadAll(prefix));
                Assert.Contains(length < 24 ? "too short" : "Truncated", exception.Message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ReadRecords_RandomGarbage_ThrowsFormatException(int seed)
    {
        var garbage = new byte[4096];
        new Random(seed).NextBytes(garbage);

        Assert.Throws<PcapFileFormatException>(() => ReadAll(garbage));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(18)]
    public void ReadRecords_GarbageAfterValidHeader_ThrowsOnlyFormatException(int seed)
    {
        var random = new Random(seed);
        var bytes = Write([]).Concat(Enumerable.Range(0, random.Next(1, 2000)).Select(_ => (byte)random.Next(256))).ToArray();

        // Whatever the garbage decodes to, the only failure allowed is the reader's own exception.
        var exception = Record.Exception(() => ReadAll(bytes));
        Assert.True(exception is null or PcapFileFormatException, exception?.ToString());
    }

    [Fact]
    public void Constructor_PcapNgFile_ThrowsNamingPcapNg()
    {
        var bytes = new byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0x0a0d0d0a);

        var exception = Assert.Throws<PcapFileFormatException>(() => ReadAll(bytes));
        Assert.Contains("pcapng", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, exception.Offset);
    }

    [Fact]
    public void Constructor_UnsupportedVersion_Throws()
    {
        var bytes = Write([]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 3);

        var exception = Assert.Throws<PcapFileFormatException>(() => ReadAll(bytes));
        Assert.Contains("version 3.4", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadNext_HugeCapturedLength_ThrowsWithoutAllocating()
    {
        var bytes = Write([TestFrames.Experimental(1, 60)]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 8), 0x7fffffff);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 12), 0x7fffffff);

        var exception = Assert.Throws<PcapFileFormatException>(() => ReadAll(bytes));
        Assert.Equal(24, exception.Offset);
        Assert.Contains("exceeds the limit", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadNext_CapturedLongerThanWire_Throws()
    {
        var bytes = Write([TestFrames.Experimental(1, 60)]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 12), 59);

        Assert.Throws<PcapFileFormatException>(() => ReadAll(bytes));
    }

    [Fact]
    public void ReadNext_MicrosecondsOutOfRange_Throws()
    {
        var bytes = Write([TestFrames.Experimental(1, 60)]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 4), 1_000_000);

        Assert.Throws<PcapFileFormatException>(() => ReadAll(bytes));
    }

    [Fact]
    public void ReadRecords_BigEndianNanosecondFile_DecodesFields()
    {
        var frame = TestFrames.Experimental(7, 64);
        var bytes = new byte[24 + 16 + frame.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 0xa1b23c4d);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 2);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], 65535);
        BinaryPrimitives.WriteUInt32BigEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(span[24..], 1_700_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(span[28..], 123_456_700);
        BinaryPrimitives.WriteUInt32BigEndian(span[32..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[36..], 1000);
        frame.CopyTo(span[40..]);

        using var reader = new PcapFileReader(new MemoryStream(bytes));
        var record = Assert.Single(reader.ReadRecords());

        Assert.True(reader.IsNanosecondResolution);
        Assert.Equal(1, reader.LinkType);
        Assert.Equal(frame, record.Data);
        Assert.Equal(1000, record.WireLength);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567), record.Timestamp);
    }

    [RequiresProgramFact("tcpdump")]
    public void ReadAll_FileRewrittenByLibpcap_MatchesOriginal()
    {
        // tcpdump -r IN -w OUT rewrites the records through libpcap's own savefile writer.
        using var original = new TempFile();
        using var rewritten = new TempFile();
        var frames = Enumerable.Range(0, 10).Select(i => TestFrames.Experimental(i, 60 + (i * 100))).ToArray();
        File.WriteAllBytes(original.Path, Write(frames));

        ExternalCommand.Run("tcpdump", "-r", original.Path, "-w", rewritten.Path);
        var records = PcapFileReader.ReadAll(rewritten.Path);

        Assert.Equal(frames, records.Select(record => record.Data));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Timestamp.AddSeconds(i)), records.Select(record => record.Timestamp));
    }

    private static byte[] Write(byte[][] frames)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < frames.Length; i++)
            {
                writer.Write(frames[i], Timestamp.AddSeconds(i));
            }
        }

        return stream.ToArray();
    }

    private static List<PcapRecord> ReadAll(byte[] bytes)
    {
        using var reader = new PcapFileReader(new MemoryStream(bytes));
        return reader.ReadRecords().ToList();
    }
}

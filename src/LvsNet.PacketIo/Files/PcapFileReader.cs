using System.Buffers.Binary;

namespace LvsNet.PacketIo.Files;

/// <summary>Reads records from a classic .pcap file (either byte order, microsecond or nanosecond timestamps).</summary>
/// <remarks>
/// A test and debugging tool: each record's bytes are copied into a new array. Anything malformed, a
/// truncated header or record included, raises <see cref="PcapFileFormatException"/> with the byte
/// offset; a file that ends exactly at a record boundary simply ends. pcapng files are not supported.
/// </remarks>
public sealed class PcapFileReader : IDisposable
{
    private const uint MagicPcapNg = 0x0a0d0d0a;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly bool _bigEndian;
    private readonly int _maximumRecordLength;
    private long _offset;
    private bool _disposed;

    /// <summary>Creates a reader over <paramref name="stream"/> and validates the file header.</summary>
    /// <param name="stream">A readable stream positioned where the file starts.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <exception cref="PcapFileFormatException">The header is missing, truncated or not a pcap header.</exception>
    public PcapFileReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;

        Span<byte> header = stackalloc byte[PcapFileFormat.FileHeaderSize];
        var read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length)
        {
            throw new PcapFileFormatException($"The file is too short for a pcap header ({read} of {PcapFileFormat.FileHeaderSize} bytes).", 0);
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        switch (magic)
        {
            case PcapFileFormat.MagicMicroseconds:
            case PcapFileFormat.MagicNanoseconds:
                _bigEndian = false;
                break;
            default:
                magic = BinaryPrimitives.ReverseEndianness(magic);
                if (magic is not (PcapFileFormat.MagicMicroseconds or PcapFileFormat.MagicNanoseconds))
                {
                    var kind = magic == MagicPcapNg ? "a pcapng file, which is not supported" : "not a pcap file";
                    throw new PcapFileFormatException(
                        $"Unknown magic number 0x{BinaryPrimitives.ReadUInt32LittleEndian(header):x8}: {kind}.", 0);
                }

                _bigEndian = true;
                break;
        }

        IsNanosecondResolution = magic == PcapFileFormat.MagicNanoseconds;
        var versionMajor = ReadUInt16(header[4..]);
        var versionMinor = ReadUInt16(header[6..]);
        if (versionMajor != PcapFileFormat.VersionMajor)
        {
            throw new PcapFileFormatException($"Unsupported pcap version {versionMajor}.{versionMinor}.", 4);
        }

        var snapLength = ReadUInt32(header[16..]);
        SnapLength = (int)Math.Min(snapLength, int.MaxValue);

        // The link type is in the low 16 bits; the high bits may describe an FCS (pcap-savefile(5)).
        LinkType = (int)(ReadUInt32(header[20..]) & 0xffff);
        _maximumRecordLength = Math.Max(SnapLength, PcapFileFormat.MaximumRecordLength);
        _offset = PcapFileFormat.FileHeaderSize;
    }

    /// <summary>The link type from the header (1 = Ethernet).</summary>
    public int LinkType { get; }

    /// <summary>The snap length from the header.</summary>
    public int SnapLength { get; }

    /// <summary>Whether timestamps have nanosecond resolution (magic 0xa1b23c4d).</summary>
    public bool IsNanosecondResolution { get; }

    /// <summary>Opens the file at <paramref name="path"/>.</summary>
    /// <exception cref="PcapFileFormatException">The header is invalid.</exception>
    public static PcapFileReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new PcapFileReader(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads every record of the file at <paramref name="path"/>.</summary>
    /// <exception cref="PcapFileFormatException">The file is malformed or truncated.</exception>
    public static IReadOnlyList<PcapRecord> ReadAll(string path)
    {
        using var reader = Open(path);
        return [.. reader.ReadRecords()];
    }

    /// <summary>Reads the next record.</summary>
    /// <returns>The record, or <see langword="null"/> at the end of the file.</returns>
    /// <exception cref="PcapFileFormatException">The record is malformed or truncated.</exception>
    public PcapRecord? ReadNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        Span<byte> header = stackalloc byte[PcapFileFormat.RecordHeaderSize];
        var read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new PcapFileFormatException($"Truncated record header ({read} of {PcapFileFormat.RecordHeaderSize} bytes).", _offset);
        }

        var seconds = ReadUInt32(header);
        var fraction = ReadUInt32(header[4..]);
        var capturedLength = ReadUInt32(header[8..]);
        var wireLength = ReadUInt32(header[12..]);

        var fractionLimit = IsNanosecondResolution ? 1_000_000_000u : 1_000_000u;
        if (fraction >= fractionLimit)
        {
            throw new PcapFileFormatException($"Invalid timestamp fraction {fraction} (must be below {fractionLimit}).", _offset);
        }

        if (capturedLength > (uint)_maximumRecordLength)
        {
            throw new PcapFileFormatException($"Record length {capturedLength} exceeds the limit of {_maximumRecordLength} bytes.", _offset);
        }

        if (capturedLength > wireLength)
        {
            throw new PcapFileFormatException($"Captured length {capturedLength} exceeds the wire length {wireLength}.", _offset);
        }

        var data = new byte[capturedLength];
        read = _stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
        {
            throw new PcapFileFormatException($"Truncated record data ({read} of {capturedLength} bytes).", _offset);
        }

        // A tick is 100 ns: nanosecond fractions lose their last two digits.
        var fractionTicks = IsNanosecondResolution
            ? fraction / (1_000_000_000 / TimeSpan.TicksPerSecond)
            : fraction * TimeSpan.TicksPerMicrosecond;
        var ticks = (seconds * TimeSpan.TicksPerSecond) + fractionTicks;
        _offset += PcapFileFormat.RecordHeaderSize + capturedLength;
        return new PcapRecord(DateTimeOffset.UnixEpoch.AddTicks(ticks), data, (int)Math.Min(wireLength, int.MaxValue));
    }

    /// <summary>Enumerates the remaining records.</summary>
    /// <exception cref="PcapFileFormatException">A record is malformed or truncated (raised during enumeration).</exception>
    public IEnumerable<PcapRecord> ReadRecords()
    {
        while (ReadNext() is { } record)
        {
            yield return record;
        }
    }

    /// <summary>Closes the stream unless the reader was told to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private uint ReadUInt32(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);
}

using System.Buffers.Binary;

namespace LvsNet.PacketIo.Files;

/// <summary>Writes frames to a classic .pcap file (magic 0xa1b2c3d4, version 2.4, Ethernet, microsecond timestamps).</summary>
/// <remarks>
/// Managed code only, no libpcap: usable in tests and for debug taps. Fields are written little-endian;
/// readers recognise the byte order from the magic number. One thread writes at a time.
/// </remarks>
public sealed class PcapFileWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>Creates a writer over <paramref name="stream"/> and writes the file header.</summary>
    /// <param name="stream">A writable stream positioned where the file starts.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <param name="snapLength">The snap length recorded in the header; longer frames are truncated to it.</param>
    public PcapFileWriter(Stream stream, bool leaveOpen = false, int snapLength = DeviceConfiguration.DefaultSnapLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapLength, PcapFileFormat.MaximumRecordLength);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        SnapLength = snapLength;

        Span<byte> header = stackalloc byte[PcapFileFormat.FileHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapFileFormat.MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], PcapFileFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], PcapFileFormat.VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0); // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs: always 0
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], PcapFileFormat.LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>The snap length recorded in the file header.</summary>
    public int SnapLength { get; }

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/> and writes the file header.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="snapLength">The snap length recorded in the header.</param>
    public static PcapFileWriter Create(string path, int snapLength = DeviceConfiguration.DefaultSnapLength)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        try
        {
            return new PcapFileWriter(stream, leaveOpen: false, snapLength);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one frame whose wire length is its own length.</summary>
    /// <param name="frame">The frame, starting at the Ethernet header.</param>
    /// <param name="timestamp">When it was captured.</param>
    public void Write(ReadOnlySpan<byte> frame, DateTimeOffset timestamp) => Write(frame, frame.Length, timestamp);

    /// <summary>Appends one frame, truncated to <see cref="SnapLength"/>.</summary>
    /// <param name="frame">The captured bytes, starting at the Ethernet header.</param>
    /// <param name="wireLength">The frame's length on the wire (at least <paramref name="frame"/>'s length).</param>
    /// <param name="timestamp">When it was captured; between 1970 and 2106 (32-bit seconds).</param>
    public void Write(ReadOnlySpan<byte> frame, int wireLength, DateTimeOffset timestamp)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(wireLength, frame.Length);

        var sinceEpoch = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(sinceEpoch, TimeSpan.TicksPerSecond, out var remainder);
        if (sinceEpoch < 0 || seconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "A pcap timestamp holds 32-bit seconds since 1970.");
        }

        var captured = frame.Length <= SnapLength ? frame : frame[..SnapLength];
        Span<byte> header = stackalloc byte[PcapFileFormat.RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(remainder / TimeSpan.TicksPerMicrosecond));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)captured.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)wireLength);
        _stream.Write(header);
        _stream.Write(captured);
    }

    /// <summary>Flushes buffered records to the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush();
    }

    /// <summary>Flushes and, unless the writer was told to leave it open, closes the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}

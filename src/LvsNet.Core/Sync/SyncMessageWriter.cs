using System.Buffers.Binary;

namespace LvsNet.Core.Sync;

/// <summary>
/// Fills one sync message, version 1 (default) or version 0, as the master sends it: a header and
/// up to <see cref="SyncWire.MaxConnectionsPerMessage"/> records, never longer than the configured
/// maximum length (sync_maxlen). The buffer is the caller's and reused from message to message.
/// </summary>
/// <remarks>
/// Version 1 records are 36 bytes (IPv4) or 72 bytes (IPv6) and start on a 4-byte boundary;
/// version 0 records are 24 bytes, IPv4 only, and carry neither timeout nor fwmark (an IPv6
/// connection is left out of a version 0 message, as the kernel leaves it). LvsNet has no sequence adjustment (no FTP helper)
/// and no persistence engine; the flags it sends never have the SEQ bits, so no receiver expects
/// them. Its own options: the FULLNAT local address and port (IPv4 or IPv6) as an optional
/// parameter (IPVS_OPT_F_PARAM), which a kernel backup skips, and a real server of the other
/// family (NAT64, mixed-family tunnels) as a mandatory one, which makes a kernel backup skip the
/// record (it could only bind it to the zero daddr). Version 0 carries neither: a FULLNAT
/// connection goes without its binding, a mixed-family one is left out.
/// </remarks>
public sealed class SyncMessageWriter
{
    private readonly byte[] _buffer;
    private readonly int _maxLength;
    private readonly int _version;
    private int _length;
    private int _count;

    /// <summary>Creates a writer of messages of at most <paramref name="maxLength"/> bytes.</summary>
    public SyncMessageWriter(int version, int maxLength, byte syncId)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)version, 1u, nameof(version));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, SyncWire.HeaderV1Length + SyncWire.RecordV4Length);
        _version = version;
        _maxLength = maxLength;
        SyncId = syncId;
        _buffer = new byte[maxLength];
        Reset();
    }

    /// <summary>The sync id written into each header.</summary>
    public byte SyncId { get; }

    /// <summary>Records in the current message.</summary>
    public int Count => _count;

    /// <summary>The message so far (header included), ready to send when <see cref="Count"/> is above 0.</summary>
    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);

    /// <summary>Starts a new, empty message.</summary>
    public void Reset()
    {
        _count = 0;
        _length = _version == 1 ? SyncWire.HeaderV1Length : SyncWire.HeaderV0Length;
        WriteHeader();
    }

    /// <summary>Appends a record.</summary>
    /// <returns>False when it does not fit (send the message, <see cref="Reset"/>, add it again).</returns>
    public bool TryAdd(in SyncConnection connection)
    {
        if (_count == SyncWire.MaxConnectionsPerMessage)
        {
            return false;
        }

        if (_version == 0)
        {
            if (connection.IsIpv6 || connection.MixedFamily)
            {
                // Version 0 has no IPv6 record: the kernel's ip_vs_sync_conn_v0 does not sync IPv6 either.
                return true;
            }

            if (_length + SyncWire.RecordV0Length > _maxLength)
            {
                return false;
            }

            WriteV0(_buffer.AsSpan(_length, SyncWire.RecordV0Length), connection);
            _length += SyncWire.RecordV0Length;
        }
        else
        {
            var pad = (4 - _length) & 3;
            var size = RecordV1Length(in connection);
            if (_length + pad + size > _maxLength)
            {
                return false;
            }

            _buffer.AsSpan(_length, pad).Clear();
            _length += pad;
            WriteV1(_buffer.AsSpan(_length, size), connection);
            _length += size;
        }

        _count++;
        WriteHeader();
        return true;
    }

    private void WriteHeader()
    {
        var header = _buffer.AsSpan();
        if (_version == 1)
        {
            header[0] = 0;
            header[1] = SyncId;
            BinaryPrimitives.WriteUInt16BigEndian(header.Slice(2), (ushort)_length);
            header[4] = (byte)_count;
            header[5] = SyncWire.ProtocolVersion;
            BinaryPrimitives.WriteUInt16BigEndian(header.Slice(6), 0);
        }
        else
        {
            header[0] = (byte)_count;
            header[1] = SyncId;
            BinaryPrimitives.WriteUInt16BigEndian(header.Slice(2), (ushort)_length);
        }
    }

    /// <summary>The length of a version 1 record before its padding: the fixed part and LvsNet's options.</summary>
    public static int RecordV1Length(in SyncConnection c)
    {
        var size = c.IsIpv6 ? SyncWire.RecordV6Length : SyncWire.RecordV4Length;
        if (c.MixedFamily)
        {
            size += 2 + (c.IsIpv6 ? 4 : Packets.Ipv6.Ipv6Address.Length);
        }

        if (c.LocalAddress != 0)
        {
            size += 2 + SyncWire.FullNatLocalLength;
        }
        else if (!c.LocalAddress6.IsUnspecified)
        {
            size += 2 + SyncWire.FullNatLocal6Length;
        }

        return size;
    }

    private static void WriteV1(Span<byte> record, in SyncConnection c)
    {
        record[0] = c.IsIpv6 ? SyncWire.TypeInet6 : (byte)0;
        record[1] = (byte)c.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(2), (ushort)record.Length);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(4), c.Flags & ~IpvsConnectionFlags.Hashed & ~IpvsConnectionFlags.SeqMask);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(8), c.State);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(10), c.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(12), c.VirtualPort);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(14), c.ServerPort);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(16), c.Fwmark);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(20), c.TimeoutSeconds);
        int p;
        if (c.IsIpv6)
        {
            // struct ip_vs_sync_v6: the three in6_addr after the timeout (daddr zero when the server is IPv4).
            c.ClientAddress6.WriteTo(record.Slice(24));
            c.VirtualAddress6.WriteTo(record.Slice(40));
            (c.MixedFamily ? default : c.ServerAddress6).WriteTo(record.Slice(56));
            p = SyncWire.RecordV6Length;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(record.Slice(24), c.ClientAddress);
            BinaryPrimitives.WriteUInt32BigEndian(record.Slice(28), c.VirtualAddress);
            BinaryPrimitives.WriteUInt32BigEndian(record.Slice(32), c.MixedFamily ? 0 : c.ServerAddress);
            p = SyncWire.RecordV4Length;
        }

        if (c.MixedFamily)
        {
            // The server of the other family, as a mandatory parameter: a kernel backup skips the record.
            record[p] = SyncWire.OptionServerOtherFamily;
            if (c.IsIpv6)
            {
                record[p + 1] = 4;
                BinaryPrimitives.WriteUInt32BigEndian(record.Slice(p + 2), c.ServerAddress);
                p += 2 + 4;
            }
            else
            {
                record[p + 1] = Packets.Ipv6.Ipv6Address.Length;
                c.ServerAddress6.WriteTo(record.Slice(p + 2));
                p += 2 + Packets.Ipv6.Ipv6Address.Length;
            }
        }

        // FULLNAT: what the reply direction needs, as an optional parameter a kernel backup skips.
        if (c.LocalAddress != 0)
        {
            var option = record.Slice(p);
            option[0] = SyncWire.OptionOptionalFlag | SyncWire.OptionFullNatLocal;
            option[1] = SyncWire.FullNatLocalLength;
            BinaryPrimitives.WriteUInt32BigEndian(option.Slice(2), c.LocalAddress);
            BinaryPrimitives.WriteUInt16BigEndian(option.Slice(6), c.LocalPort);
            option[8] = c.ToaDone ? (byte)1 : (byte)0;
            option[9] = 0;
        }
        else if (!c.LocalAddress6.IsUnspecified)
        {
            var option = record.Slice(p);
            option[0] = SyncWire.OptionOptionalFlag | SyncWire.OptionFullNatLocal6;
            option[1] = SyncWire.FullNatLocal6Length;
            c.LocalAddress6.WriteTo(option.Slice(2));
            BinaryPrimitives.WriteUInt16BigEndian(option.Slice(18), c.LocalPort);
            option[20] = c.ToaDone ? (byte)1 : (byte)0;
            option[21] = 0;
        }
    }

    private static void WriteV0(Span<byte> record, in SyncConnection c)
    {
        record[0] = 0;
        record[1] = (byte)c.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(2), c.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(4), c.VirtualPort);
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(6), c.ServerPort);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(8), c.ClientAddress);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(12), c.VirtualAddress);
        BinaryPrimitives.WriteUInt32BigEndian(record.Slice(16), c.ServerAddress);

        // Version 0 flags are 16 bits.
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(20), (ushort)(c.Flags & ~IpvsConnectionFlags.Hashed & ~IpvsConnectionFlags.SeqMask));
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(22), c.State);
    }
}

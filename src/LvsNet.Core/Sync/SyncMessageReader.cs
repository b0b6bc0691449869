using System.Buffers.Binary;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Sync;

/// <summary>
/// Reads a received sync message, version 1 or version 0, with the backup's checks of
/// ip_vs_process_message: header size and sync id, then each record, with LvsNet's own options
/// (FULLNAT local addresses, a real server of the other family). A record the backup cannot use
/// (an unsupported protocol, a state out of range, a mandatory option it does not know,
/// persistence-engine data, a local binding of the wrong family) is skipped and counted; a
/// malformed record drops the rest of the message. Never throws on wire data.
/// </summary>
/// <remarks>Not thread-safe: one reader per receiving thread (it keeps the counts of the last message).</remarks>
public sealed class SyncMessageReader
{
    // IPVS TCP states are 0..10 (IP_VS_TCP_S_LAST = 11); UDP has one state (0 is IP_VS_UDP_S_NORMAL).
    private const int TcpStates = 11;
    private const int UdpStates = 1;

    /// <summary>Records skipped in the last message.</summary>
    public int Skipped { get; private set; }

    /// <summary>The version of the last message read (0 or 1).</summary>
    public int Version { get; private set; }

    /// <summary>Reads <paramref name="message"/> into <paramref name="output"/>.</summary>
    /// <param name="message">The UDP payload.</param>
    /// <param name="syncId">The backup's sync id (0 accepts every id).</param>
    /// <param name="output">Room for the records (255 is always enough).</param>
    /// <param name="count">How many records were read.</param>
    public SyncMessageStatus Read(ReadOnlySpan<byte> message, byte syncId, Span<SyncConnection> output, out int count)
    {
        count = 0;
        Skipped = 0;
        if (message.Length < SyncWire.HeaderV0Length)
        {
            return SyncMessageStatus.TooShort;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(message.Slice(2)) != message.Length)
        {
            return SyncMessageStatus.BadSize;
        }

        if (syncId != 0 && message[1] != syncId)
        {
            return SyncMessageStatus.OtherSyncId;
        }

        var isV1 = message.Length >= SyncWire.HeaderV1Length && message[0] == 0 && message[5] == SyncWire.ProtocolVersion
            && BinaryPrimitives.ReadUInt16BigEndian(message.Slice(6)) == 0;
        Version = isV1 ? 1 : 0;
        return isV1 ? ReadV1(message, output, ref count) : ReadV0(message, output, ref count);
    }

    private SyncMessageStatus ReadV1(ReadOnlySpan<byte> message, Span<SyncConnection> output, ref int count)
    {
        var records = message[4];
        var offset = SyncWire.HeaderV1Length;
        for (var i = 0; i < records; i++)
        {
            if (offset + SyncWire.RecordV4Length > message.Length)
            {
                return SyncMessageStatus.Malformed;
            }

            var verSize = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(offset + 2));
            var size = verSize & 0x0FFF;
            if (offset + size > message.Length || (verSize >> 12) != 0)
            {
                return SyncMessageStatus.Malformed;
            }

            var record = message.Slice(offset, size);
            var result = ReadRecordV1(record, out var connection);
            if (result < 0)
            {
                return SyncMessageStatus.Malformed;
            }

            if (result == 0 && count < output.Length)
            {
                output[count++] = connection;
            }
            else
            {
                Skipped++;
            }

            offset += (size + 3) & ~3;
        }

        return SyncMessageStatus.Accepted;
    }

    // -1: malformed (drop the rest), 0: usable, 1: skipped.
    private static int ReadRecordV1(ReadOnlySpan<byte> record, out SyncConnection connection)
    {
        connection = default;
        var type = record[0];
        int fixedLength;
        if ((type & SyncWire.TypeInet6) != 0)
        {
            fixedLength = SyncWire.RecordV6Length;
        }
        else if (type == 0)
        {
            fixedLength = SyncWire.RecordV4Length;
        }
        else
        {
            return -1;
        }

        if (record.Length < fixedLength)
        {
            return -1;
        }

        var skip = false;
        var seen = 0;
        var p = fixedLength;
        uint localAddress = 0;
        var localAddress6 = default(Ipv6Address);
        ushort localPort = 0;
        var toaDone = false;
        var mixed = false;
        uint otherServer = 0;
        var otherServer6 = default(Ipv6Address);
        var ipv6 = fixedLength == SyncWire.RecordV6Length;
        while (p < record.Length)
        {
            if (p + 2 > record.Length)
            {
                return -1;
            }

            var optionType = record[p];
            var optionLength = record[p + 1];
            p += 2;
            if (optionLength == 0 || p + optionLength > record.Length)
            {
                return -1;
            }

            var kind = optionType & ~SyncWire.OptionOptionalFlag;
            switch (kind)
            {
                case SyncWire.OptionSequence:
                    if (optionLength != SyncWire.SequenceOptionsLength || (seen & 1) != 0)
                    {
                        return -1;
                    }

                    seen |= 1;
                    break;
                case SyncWire.OptionPeData:
                case SyncWire.OptionPeName:
                    // No persistence engine here: the kernel skips a record whose engine it does not have.
                    var bit = kind == SyncWire.OptionPeData ? 2 : 4;
                    if ((seen & bit) != 0)
                    {
                        return -1;
                    }

                    seen |= bit;
                    skip = true;
                    break;
                case SyncWire.OptionFullNatLocal when (optionType & SyncWire.OptionOptionalFlag) != 0:
                    if (optionLength != SyncWire.FullNatLocalLength || (seen & 8) != 0)
                    {
                        return -1;
                    }

                    seen |= 8;
                    localAddress = BinaryPrimitives.ReadUInt32BigEndian(record.Slice(p));
                    localPort = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(p + 4));
                    toaDone = (record[p + 6] & 1) != 0;
                    if (localAddress == 0 || localPort == 0)
                    {
                        // A binding to nothing cannot be applied: the record is of no use.
                        skip = true;
                    }

                    break;
                case SyncWire.OptionFullNatLocal6 when (optionType & SyncWire.OptionOptionalFlag) != 0:
                    if (optionLength != SyncWire.FullNatLocal6Length || (seen & 8) != 0)
                    {
                        return -1;
                    }

                    seen |= 8;
                    localAddress6 = Ipv6Address.Read(record.Slice(p));
                    localPort = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(p + 16));
                    toaDone = (record[p + 18] & 1) != 0;
                    if (localAddress6.IsUnspecified || localPort == 0)
                    {
                        skip = true;
                    }

                    break;
                case SyncWire.OptionServerOtherFamily when (optionType & SyncWire.OptionOptionalFlag) == 0:
                    // An IPv6 record names an IPv4 server, an IPv4 record an IPv6 one.
                    if (optionLength != (ipv6 ? 4 : Ipv6Address.Length) || (seen & 16) != 0)
                    {
                        return -1;
                    }

                    seen |= 16;
                    mixed = true;
                    if (ipv6)
                    {
                        otherServer = BinaryPrimitives.ReadUInt32BigEndian(record.Slice(p));
                    }
                    else
                    {
                        otherServer6 = Ipv6Address.Read(record.Slice(p));
                    }

                    break;
                default:
                    if ((optionType & SyncWire.OptionOptionalFlag) == 0)
                    {
                        skip = true;
                    }

                    break;
            }

            p += optionLength;
        }

        // The local address is of the real server's family: IPv4 for IPv4 FULLNAT and NAT64 (an IPv6
        // record with an IPv4 server), IPv6 for IPv6 FULLNAT. Any other combination binds nothing usable.
        var serverIpv6 = ipv6 != mixed;
        if (skip || (localAddress != 0 && serverIpv6) || (!localAddress6.IsUnspecified && (!serverIpv6 || !ipv6)))
        {
            return 1;
        }

        var flags = (BinaryPrimitives.ReadUInt32BigEndian(record.Slice(4)) & IpvsConnectionFlags.BackupMask) | IpvsConnectionFlags.Sync;
        var state = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(8));
        var protocol = (IpProtocol)record[1];
        if (!Usable(protocol, flags, state, BinaryPrimitives.ReadUInt32BigEndian(record.Slice(16))))
        {
            return 1;
        }

        if (ipv6)
        {
            connection = new SyncConnection(
                protocol,
                flags,
                state,
                ClientAddress: 0,
                ClientPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(10)),
                VirtualAddress: 0,
                VirtualPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(12)),
                ServerAddress: 0,
                ServerPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(14)),
                Fwmark: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(16)),
                TimeoutSeconds: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(20)))
            {
                IsIpv6 = true,
                ClientAddress6 = Ipv6Address.Read(record.Slice(24)),
                VirtualAddress6 = Ipv6Address.Read(record.Slice(40)),
                ServerAddress6 = mixed ? default : Ipv6Address.Read(record.Slice(56)),
                ServerAddress = otherServer,
                MixedFamily = mixed,
                LocalAddress = localAddress,
                LocalAddress6 = localAddress6,
                LocalPort = localPort,
                ToaDone = toaDone,
            };
            return 0;
        }

        connection = new SyncConnection(
            protocol,
            flags,
            state,
            ClientAddress: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(24)),
            ClientPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(10)),
            VirtualAddress: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(28)),
            VirtualPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(12)),
            ServerAddress: mixed ? 0 : BinaryPrimitives.ReadUInt32BigEndian(record.Slice(32)),
            ServerPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(14)),
            Fwmark: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(16)),
            TimeoutSeconds: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(20)))
        {
            ServerAddress6 = otherServer6,
            MixedFamily = mixed,
            LocalAddress = localAddress,
            LocalPort = localPort,
            ToaDone = toaDone,
        };
        return 0;
    }

    private SyncMessageStatus ReadV0(ReadOnlySpan<byte> message, Span<SyncConnection> output, ref int count)
    {
        var records = message[0];
        var offset = SyncWire.HeaderV0Length;
        for (var i = 0; i < records; i++)
        {
            if (offset + SyncWire.RecordV0Length > message.Length)
            {
                return SyncMessageStatus.Malformed;
            }

            var record = message.Slice(offset, SyncWire.RecordV0Length);
            var flags = ((uint)BinaryPrimitives.ReadUInt16BigEndian(record.Slice(20)) | IpvsConnectionFlags.Sync) & ~IpvsConnectionFlags.Hashed;
            offset += SyncWire.RecordV0Length;
            if ((flags & IpvsConnectionFlags.SeqMask) != 0)
            {
                offset += SyncWire.SequenceOptionsLength;
                if (offset > message.Length)
                {
                    return SyncMessageStatus.Malformed;
                }
            }

            var state = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(22));
            var protocol = (IpProtocol)record[1];
            if (!Usable(protocol, flags, state, fwmark: 0) || count >= output.Length)
            {
                Skipped++;
                continue;
            }

            output[count++] = new SyncConnection(
                protocol,
                flags,
                state,
                ClientAddress: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(8)),
                ClientPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(2)),
                VirtualAddress: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(12)),
                VirtualPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(4)),
                ServerAddress: BinaryPrimitives.ReadUInt32BigEndian(record.Slice(16)),
                ServerPort: BinaryPrimitives.ReadUInt16BigEndian(record.Slice(6)),
                Fwmark: 0,
                TimeoutSeconds: 0);
        }

        return SyncMessageStatus.Accepted;
    }

    private static bool Usable(IpProtocol protocol, uint flags, ushort state, uint fwmark)
    {
        if ((flags & IpvsConnectionFlags.Template) != 0)
        {
            // Template states are NONE and ASSURED. A firewall-mark service's templates have
            // protocol IP (0) and the mark in the virtual address (ip_vs_sched_persist); only
            // version 1 carries the mark that names their service.
            return (protocol is IpProtocol.Tcp or IpProtocol.Udp || (protocol == 0 && fwmark != 0)) && state <= 1;
        }

        return protocol switch
        {
            IpProtocol.Tcp => state < TcpStates,
            IpProtocol.Udp => state < UdpStates,
            _ => false,
        };
    }
}

using LvsNet.Core.Sync;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// The sync wire format against byte layouts written out by hand from the kernel's struct
/// definitions in net/netfilter/ipvs/ip_vs_sync.c (struct ip_vs_sync_mesg, ip_vs_sync_v4,
/// ip_vs_sync_mesg_v0, ip_vs_sync_conn_v0), not from the encoder.
/// </summary>
public class SyncMessageCodecTests
{
    // An ESTABLISHED DR connection 10.77.0.10:50000 -> 10.77.0.100:80 -> 10.77.0.11:80, active, timeout 900 s.
    private static readonly SyncConnection Established = new(
        IpProtocol.Tcp,
        Flags: IpvsConnectionFlags.DirectRoute | IpvsConnectionFlags.NoOutput,
        State: 1,
        ClientAddress: 0x0A4D000A,
        ClientPort: 50000,
        VirtualAddress: 0x0A4D0064,
        VirtualPort: 80,
        ServerAddress: 0x0A4D000B,
        ServerPort: 80,
        Fwmark: 0,
        TimeoutSeconds: 900);

    // struct ip_vs_sync_mesg (8 bytes) + struct ip_vs_sync_v4 (36 bytes).
    private const string V1Message =
        "00" + "07" + "002c" + "01" + "01" + "0000" +   // reserved, syncid 7, size 44, nr_conns 1, version 1, spare
        "00" + "06" + "0024" +                          // type 0 (IPv4), protocol TCP, ver_size: version 0, size 36
        "00000083" +                                    // flags: DROUTE (3) | NOOUTPUT (0x80)
        "0001" + "c350" + "0050" + "0050" +             // state ESTABLISHED, cport 50000, vport 80, dport 80
        "00000000" + "00000384" +                       // fwmark 0, timeout 900 s
        "0a4d000a" + "0a4d0064" + "0a4d000b";           // caddr, vaddr, daddr

    // struct ip_vs_sync_mesg_v0 (4 bytes) + struct ip_vs_sync_conn_v0 (24 bytes).
    private const string V0Message =
        "01" + "07" + "001c" +                          // nr_conns 1, syncid 7, size 28
        "00" + "06" + "c350" + "0050" + "0050" +        // reserved, protocol, cport, vport, dport
        "0a4d000a" + "0a4d0064" + "0a4d000b" +          // caddr, vaddr, daddr
        "0083" + "0001";                                // flags (16 bits), state

    [Fact]
    public void Writer_Version1_MatchesTheKernelLayout()
    {
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 7);
        Assert.True(writer.TryAdd(Established));
        Assert.Equal(Convert.FromHexString(V1Message), writer.Message.ToArray());
    }

    [Fact]
    public void Writer_Version0_MatchesTheKernelLayout()
    {
        var writer = new SyncMessageWriter(version: 0, maxLength: 1472, syncId: 7);
        Assert.True(writer.TryAdd(Established));
        Assert.Equal(Convert.FromHexString(V0Message), writer.Message.ToArray());
    }

    [Theory]
    [InlineData(V1Message, 1)]
    [InlineData(V0Message, 0)]
    public void Reader_ReadsTheKernelLayout_AndMarksSync(string hex, int version)
    {
        var reader = new SyncMessageReader();
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(hex), 0, output, out var count));
        Assert.Equal(version, reader.Version);
        Assert.Equal(1, count);
        var expected = Established with
        {
            Flags = Established.Flags | IpvsConnectionFlags.Sync,
            TimeoutSeconds = version == 1 ? 900u : 0u,
        };
        Assert.Equal(expected, output[0]);
    }

    // A FULLNAT record: struct ip_vs_sync_v4 and LvsNet's option as an optional parameter
    // (type 0x40 | 0x10, length 8: local address, local port, flags bit 0 = TOA sent, a zero byte).
    private const string V1FullNatMessage =
        "00" + "00" + "0036" + "01" + "01" + "0000" +   // reserved, syncid 0, size 54, nr_conns 1, version 1, spare
        "00" + "06" + "002e" +                          // type IPv4, TCP, ver_size: size 46
        "00000005" +                                    // flags: FULLNAT forwarding (5)
        "0001" + "c350" + "0050" + "1f90" +             // ESTABLISHED, cport 50000, vport 80, dport 8080
        "00000000" + "00000384" +                       // fwmark, timeout 900 s
        "0a4d000a" + "0a4d0064" + "0a4d000b" +          // caddr, vaddr, daddr
        "50" + "08" + "0a4d0032" + "0401" + "01" + "00"; // option: LIP 10.77.0.50, lport 1025, TOA sent

    private static readonly SyncConnection FullNatEstablished = new(
        IpProtocol.Tcp, IpvsConnectionFlags.FullNat, 1, 0x0A4D000A, 50000, 0x0A4D0064, 80, 0x0A4D000B, 8080, 0, 900)
    {
        LocalAddress = 0x0A4D0032,
        LocalPort = 1025,
        ToaDone = true,
    };

    [Fact]
    public void Writer_FullNatRecord_CarriesTheLocalBindingAsAnOptionalParameter()
    {
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 0);
        Assert.True(writer.TryAdd(FullNatEstablished));
        Assert.Equal(Convert.FromHexString(V1FullNatMessage), writer.Message.ToArray());

        // The next record starts on a 4-byte boundary (46 + 2 bytes of padding).
        Assert.True(writer.TryAdd(Established));
        Assert.Equal(8 + 48 + 36, writer.Message.Length);
    }

    [Fact]
    public void Reader_FullNatOption_IsRead_AndARecordAfterItToo()
    {
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 0);
        writer.TryAdd(FullNatEstablished);
        writer.TryAdd(Established);
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(writer.Message, 0, output, out var count));
        Assert.Equal(2, count);
        Assert.Equal(FullNatEstablished with { Flags = IpvsConnectionFlags.FullNat | IpvsConnectionFlags.Sync }, output[0]);
        Assert.Equal(0u, output[1].LocalAddress);

        var single = new SyncConnection[1];
        Assert.Equal(SyncMessageStatus.Accepted, new SyncMessageReader().Read(Convert.FromHexString(V1FullNatMessage), 0, single, out _));
        Assert.Equal((0x0A4D0032u, (ushort)1025, true), (single[0].LocalAddress, single[0].LocalPort, single[0].ToaDone));
    }

    [Theory]
    [InlineData("50" + "06" + "0a4d00320401", false)]             // wrong length: malformed, the rest of the message dropped
    [InlineData("50" + "08" + "000000000401" + "0000", true)]     // no address: the record skipped
    [InlineData("10" + "08" + "0a4d00320401" + "0100", true)]     // without the optional flag: an unknown mandatory option, skipped
    public void Reader_BadFullNatOption_IsNotApplied(string option, bool wellFormed)
    {
        var record = string.Concat(V1FullNatMessage.AsSpan(16, 72), option);
        var size = record.Length / 2;
        var message = "00" + "00" + (8 + size).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + "01" + "01" + "0000"
            + record[..4] + size.ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + record[8..];
        var reader = new SyncMessageReader();
        var status = reader.Read(Convert.FromHexString(message), 0, new SyncConnection[255], out var count);
        Assert.Equal(0, count);
        Assert.Equal(wellFormed ? SyncMessageStatus.Accepted : SyncMessageStatus.Malformed, status);
        Assert.Equal(wellFormed ? 1 : 0, reader.Skipped);
    }

    [Fact]
    public void Writer_FillsUpToMaxLength_ThenRefuses()
    {
        // 1472 bytes: 8 + 40 × 36 = 1448, a 41st record would need 1484.
        var writer = new SyncMessageWriter(version: 1, maxLength: 1472, syncId: 0);
        var added = 0;
        while (writer.TryAdd(Established with { ClientPort = (ushort)(1000 + added) }))
        {
            added++;
        }

        Assert.Equal(40, added);
        Assert.Equal(8 + (40 * 36), writer.Message.Length);
        Assert.Equal(40, writer.Message[4]);
        Assert.Equal(8 + (40 * 36), (writer.Message[2] << 8) | writer.Message[3]);
    }

    [Fact]
    public void Writer_NeverPutsMoreThan255RecordsInAMessage()
    {
        var writer = new SyncMessageWriter(version: 1, maxLength: 65000, syncId: 0);
        var added = 0;
        while (writer.TryAdd(Established))
        {
            added++;
        }

        Assert.Equal(255, added);
    }

    [Fact]
    public void Reader_OtherSyncId_IsRefused_ButSyncIdZeroTakesAll()
    {
        var reader = new SyncMessageReader();
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.OtherSyncId, reader.Read(Convert.FromHexString(V1Message), 8, output, out _));
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(V1Message), 7, output, out _));
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(Convert.FromHexString(V1Message), 0, output, out _));
    }

    [Fact]
    public void Reader_SizeNotTheDatagramLength_IsRefused()
    {
        var bytes = Convert.FromHexString(V1Message + "00000000");
        Assert.Equal(SyncMessageStatus.BadSize, new SyncMessageReader().Read(bytes, 0, new SyncConnection[255], out _));
    }

    [Fact]
    public void Reader_EveryTruncation_IsRefusedWithoutThrowing()
    {
        foreach (var hex in new[] { V1Message, V0Message })
        {
            var full = Convert.FromHexString(hex);
            for (var length = 0; length < full.Length; length++)
            {
                var status = new SyncMessageReader().Read(full.AsSpan(0, length), 0, new SyncConnection[255], out var count);
                Assert.NotEqual(SyncMessageStatus.Accepted, status);
                Assert.Equal(0, count);
            }
        }
    }

    [Fact]
    public void Reader_HostileBytes_NeverThrow()
    {
        var random = new Random(17);
        var output = new SyncConnection[255];
        var reader = new SyncMessageReader();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4)
            {
                // Most random sizes fail the first check; make half of them pass it.
                if ((i & 1) == 0)
                {
                    bytes[2] = (byte)(bytes.Length >> 8);
                    bytes[3] = (byte)bytes.Length;
                }

                if ((i & 2) == 0 && bytes.Length >= 8)
                {
                    bytes[0] = 0;
                    bytes[5] = 1;
                    bytes[6] = 0;
                    bytes[7] = 0;
                }
            }

            _ = reader.Read(bytes, 0, output, out var count);
            Assert.InRange(count, 0, 255);
        }
    }

    [Fact]
    public void Reader_V1_UnknownRecordVersion_DropsTheRest()
    {
        var bytes = Convert.FromHexString(V1Message);
        bytes[8 + 2] = 0x10; // ver_size: version 1 in the top four bits
        Assert.Equal(SyncMessageStatus.Malformed, new SyncMessageReader().Read(bytes, 0, new SyncConnection[255], out var count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Reader_V1_SequenceOptionAndOptionalUnknownOption_AreReadPast()
    {
        // Record of 36 + 2 + 24 (IPVS_OPT_SEQ_DATA) + 2 + 2 (an optional parameter type 0x47) = 66 bytes, padded to 68.
        var record = Convert.FromHexString(V1Message[16..]);
        record[3] = 66;
        var options = Convert.FromHexString("0118" + new string('0', 48) + "47020000");
        var message = new byte[8 + 68];
        Convert.FromHexString(V1Message[..16]).CopyTo(message, 0);
        message[3] = (byte)message.Length;
        record.CopyTo(message, 8);
        options.CopyTo(message, 8 + 36);
        var reader = new SyncMessageReader();
        var output = new SyncConnection[255];
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(message, 0, output, out var count));
        Assert.Equal(1, count);
        Assert.Equal(Established.ClientPort, output[0].ClientPort);
    }

    [Fact]
    public void Reader_V1_UnknownMandatoryOption_SkipsTheRecordOnly()
    {
        var record = Convert.FromHexString(V1Message[16..]);
        record[3] = 40;
        var message = new byte[8 + 40];
        Convert.FromHexString(V1Message[..16]).CopyTo(message, 0);
        message[3] = (byte)message.Length;
        record.CopyTo(message, 8);
        message[8 + 36] = 0x09; // an unknown option without the optional flag
        message[8 + 37] = 2;
        var reader = new SyncMessageReader();
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(message, 0, new SyncConnection[255], out var count));
        Assert.Equal(0, count);
        Assert.Equal(1, reader.Skipped);
    }

    [Theory]
    [InlineData(6, 11)]   // TCP state beyond SYNACK
    [InlineData(17, 1)]   // UDP has one state, 0
    [InlineData(132, 1)]  // SCTP: not carried by LvsNet
    public void Reader_RecordThisBackupCannotUse_IsSkipped(byte protocol, ushort state)
    {
        var bytes = Convert.FromHexString(V1Message);
        bytes[8 + 1] = protocol;
        bytes[8 + 8] = (byte)(state >> 8);
        bytes[8 + 9] = (byte)state;
        var reader = new SyncMessageReader();
        Assert.Equal(SyncMessageStatus.Accepted, reader.Read(bytes, 0, new SyncConnection[255], out var count));
        Assert.Equal(0, count);
        Assert.Equal(1, reader.Skipped);
    }

    [Fact]
    public void Reader_FlagsAreMaskedToWhatABackupKeeps()
    {
        var bytes = Convert.FromHexString(V1Message);
        bytes[8 + 4] = 0xFF; // bits 24..31: not in IP_VS_CONN_F_BACKUP_MASK
        bytes[8 + 7] = 0xC3; // HASHED (0x40) is never kept
        new SyncMessageReader().Read(bytes, 0, new SyncConnection[255].AsSpan(), out _);
        var output = new SyncConnection[255];
        new SyncMessageReader().Read(bytes, 0, output, out _);
        Assert.Equal(IpvsConnectionFlags.DirectRoute | IpvsConnectionFlags.NoOutput | IpvsConnectionFlags.Sync, output[0].Flags);
    }
}

using System.Buffers.Binary;
using LvsNet.PacketIo.Files;

namespace LvsNet.Hostile;

/// <summary>
/// Writes the first frames of every class to a pcap file for an independent decoder (tshark), with the
/// lab's addresses: the frames the campaign sends are checked against what Wireshark reads in them.
/// The class of each frame is its position: <c>perClass</c> frames per class, in catalog order.
/// </summary>
internal static class PcapExport
{
    public static void Write(string path, int perClass, int seed)
    {
        var context = new LabContext
        {
            ClientMac = [0x02, 0x77, 0, 0, 0, 0x0a],
            DirectorMac = [0x02, 0x77, 0, 0, 0, 0x02],
            ClientIp = Address(10),
            Vip = Address(100),
            Dip = Address(2),
            RealServerIps = [Address(11), Address(12)],
            RealServerMacs = [[0x02, 0x77, 0, 0, 0, 0x0b], [0x02, 0x77, 0, 0, 0, 0x0c]],
            Vip6 = System.Net.IPAddress.Parse("fd77::100").GetAddressBytes(),
            Dip6 = System.Net.IPAddress.Parse("fd77::2").GetAddressBytes(),
            ClientIp6 = System.Net.IPAddress.Parse("fd77::a").GetAddressBytes(),
            RealServerIps6 = [System.Net.IPAddress.Parse("fd77::b").GetAddressBytes(), System.Net.IPAddress.Parse("fd77::c").GetAddressBytes()],
        };
        using var writer = PcapFileWriter.Create(path, 65535);
        var time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        foreach (var cls in ClassCatalog.All)
        {
            var random = new Random(seed ^ (cls.Id * 7919));
            for (var i = 0; i < perClass; i++)
            {
                writer.Write(cls.Generate(context, random, i), time);
                time = time.AddMilliseconds(1);
            }
        }
    }

    private static uint Address(int host) => BinaryPrimitives.ReadUInt32BigEndian([10, 77, 0, (byte)host]);
}

using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The campaign's frames are what their class names say, as an independent decoder (tshark) reads
/// them: the campaign's verdicts are only worth something if a "bad checksum" frame really has a bad
/// checksum and a "tiny first fragment" really is one.
/// </summary>
public class HostileFrameEncodingTests
{
    private const int PerClass = 4;

    private static readonly string[] Fields =
    [
        "frame.len", "eth.type", "vlan.id", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
        "ip.src", "ip.hdr_len", "ip.len", "ip.ttl", "ip.checksum.status", "ip.flags.mf", "ip.frag_offset", "ip.opt.type",
        "ip.opt.ptr", "tcp.srcport", "tcp.dstport", "tcp.flags", "_ws.expert.message",
        "ipv6.version", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.dst", "ipv6.fraghdr.nxt", "ipv6.fraghdr.offset", "ipv6.fraghdr.more",
        "ipv6.routing.segleft", "tcp.checksum.status", "icmpv6.type", "icmpv6.nd.na.target_address", "icmpv6.opt.linkaddr",
        "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.checksum.status",
    ];

    private const string Foreign = "02:66:00:00:00:01";

    /// <summary>Per class: what every one of its frames (index i) must decode to.</summary>
    private static readonly Dictionary<string, Func<Dictionary<string, string>, int, bool>> Checks = new(StringComparer.Ordinal)
    {
        ["arp-who-has-vip-foreign-mac"] = (f, _) => Arp(f, "1", Foreign, "10.77.0.11", "10.77.0.100"),
        ["arp-gratuitous-real-server"] = (f, _) => Arp(f, "1", Foreign, "10.77.0.11", "10.77.0.11"),
        ["arp-unsolicited-reply"] = (f, _) => Arp(f, "2", Foreign, "10.77.0.11", "10.77.0.2"),
        ["arp-sender-zero-mac"] = (f, _) => Arp(f, "1", "00:00:00:00:00:00", "10.77.0.11", "10.77.0.100"),
        ["arp-sender-broadcast-mac"] = (f, _) => Arp(f, "1", "ff:ff:ff:ff:ff:ff", "10.77.0.11", "10.77.0.100"),
        ["arp-sender-multicast-mac"] = (f, _) => Arp(f, "1", "01:00:5e:00:00:01", "10.77.0.11", "10.77.0.100"),
        ["arp-sender-director-mac"] = (f, _) => Arp(f, "1", "02:77:00:00:00:02", "10.77.0.11", "10.77.0.100"),
        ["arp-claims-vip"] = (f, _) => Arp(f, "1", Foreign, "10.77.0.100", "10.77.0.100"),
        ["arp-claims-dip"] = (f, _) => Arp(f, "1", Foreign, "10.77.0.2", "10.77.0.100"),
        ["martian-src-zero-net"] = (f, _) => Syn(f) && f["ip.src"].StartsWith("0.", StringComparison.Ordinal),
        ["martian-src-loopback"] = (f, _) => Syn(f) && f["ip.src"].StartsWith("127.", StringComparison.Ordinal),
        ["martian-src-multicast"] = (f, _) => Syn(f) && FirstOctet(f) is >= 224 and <= 239,
        ["martian-src-limited-broadcast"] = (f, _) => Syn(f) && f["ip.src"] == "255.255.255.255",
        ["martian-src-class-e"] = (f, _) => Syn(f) && FirstOctet(f) >= 240,
        ["martian-src-vip"] = (f, _) => Syn(f) && f["ip.src"] == "10.77.0.100",
        ["martian-src-dip"] = (f, _) => Syn(f) && f["ip.src"] == "10.77.0.2",
        ["ip-bad-header-checksum"] = (f, _) => f["ip.checksum.status"] == "0" && f["tcp.flags"] == "0x0002",
        ["ip-ihl-below-5"] = (f, _) => f["ip.hdr_len"] == "16",
        ["ip-ihl-past-total-length"] = (f, _) => f["ip.hdr_len"] == "60" && f["ip.len"] == "56",
        ["ip-total-length-below-header"] = (f, _) => f["ip.hdr_len"] == "20" && f["ip.len"] == "16",
        ["ip-total-length-past-frame"] = (f, _) => int.Parse(f["ip.len"]) > int.Parse(f["frame.len"]) - 14 && f["ip.checksum.status"] == "1",
        ["ip-options-malformed"] = (f, i) => f["ip.checksum.status"] == "1" && (i % 3) switch
        {
            0 => f["_ws.expert.message"].Contains("past end of options", StringComparison.Ordinal),
            1 => f["_ws.expert.message"].Contains("too-short option length", StringComparison.Ordinal),
            _ => f["ip.opt.type"].Split(',').Contains("68") && f["ip.opt.ptr"] == "1",
        },
        ["ip-options-lsrr"] = (f, _) => Syn(f) && f["ip.opt.type"].Split(',').Contains("131"),
        ["ip-options-ssrr"] = (f, _) => Syn(f) && f["ip.opt.type"].Split(',').Contains("137"),
        ["tcp-syn-fin"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0003",
        ["tcp-syn-rst"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0006",
        ["tcp-syn-ack"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0012",
        ["tcp-no-flags"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0000",
        ["tcp-fin-no-ack"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0001",
        ["tcp-src-port-0"] = (f, _) => Syn(f) && f["tcp.srcport"] == "0",
        ["tcp-dst-port-0"] = (f, _) => Syn(f) && f["tcp.dstport"] == "0",
        ["vlan-tagged"] = (f, _) => Syn(f) && f["vlan.id"] == "42" && f["eth.type"].StartsWith("0x8100", StringComparison.Ordinal),
        ["ttl-1"] = (f, _) => Syn(f) && f["ip.ttl"] == "1",
        ["runt"] = (f, _) => Syn(f) && f["frame.len"] == "54" && f["ip.len"] == "40",
        ["oversize"] = (f, _) => Syn(f) && f["frame.len"] == "1518" && f["ip.len"] == "1504" && f["vlan.id"].Length == 0,
        ["ip-fragments-overlapping"] = (f, i) => Valid(f) && (i % 2 == 0 ? Fragment(f, "1", "0") && f["ip.len"] == "60" : Fragment(f, "0", "2") && f["ip.len"] == "64"),
        ["ip-fragments-tiny-first"] = (f, i) => Valid(f) && (i % 2 == 0 ? Fragment(f, "1", "0") && f["ip.len"] == "28" : Fragment(f, "0", "1")),
        ["ip-fragments-valid"] = (f, i) => Valid(f) && (i % 2 == 0 ? Fragment(f, "1", "0") && f["ip.len"] == "44" : Fragment(f, "0", "3") && f["ip.len"] == "56"),
        ["flood-syn-spoofed"] = (f, _) => Syn(f) && (f["ip.src"].StartsWith("198.18.", StringComparison.Ordinal) || f["ip.src"].StartsWith("198.19.", StringComparison.Ordinal)),
        ["flood-ack-unknown-flow"] = (f, _) => Valid(f) && f["tcp.flags"] == "0x0010" && f["ip.src"].StartsWith("198.1", StringComparison.Ordinal),
        ["flood-arp"] = (f, _) => f["arp.opcode"] == "1" && f["arp.dst.proto_ipv4"] == "10.77.0.100" && f["arp.src.proto_ipv4"].StartsWith("10.77.0.1", StringComparison.Ordinal)
            && (Convert.ToByte(f["arp.src.hw_mac"][..2], 16) & 1) == 0,
        ["mutation"] = (f, _) => f["frame.len"].Length > 0,
        ["ipv6-bad-version"] = (f, _) => f["eth.type"].StartsWith("0x86dd", StringComparison.Ordinal) && f["ipv6.version"] == "5"
            && f["_ws.expert.message"].Contains("Bogus IPv6 version", StringComparison.Ordinal),
        ["ipv6-payload-length-past-frame"] = (f, _) => Syn6(f) && f["_ws.expert.message"].Contains("payload length exceeds framing length", StringComparison.Ordinal),
        ["ipv6-ext-too-many"] = (f, _) => Syn6(f) && f["ipv6.nxt"] == "60" && f["ipv6.plen"] == (9 * 8 + 36).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ipv6-ext-bad-length"] = (f, _) => f["ipv6.nxt"] == "60" && f["_ws.expert.message"].Contains("Malformed Packet", StringComparison.Ordinal),
        ["ipv6-ext-hop-by-hop-not-first"] = (f, _) => Syn6(f) && f["ipv6.nxt"] == "60"
            && f["_ws.expert.message"].Contains("Hop-by-Hop extension header must appear immediately after IPv6 header", StringComparison.Ordinal),
        ["ipv6-routing-segments-left"] = (f, _) => Syn6(f) && f["ipv6.nxt"] == "43" && f["ipv6.routing.segleft"] == "1",
        ["ipv6-fragments-overlapping"] = (f, i) => f["ipv6.dst"] == "fd77::100" && (i % 2 == 0 ? Fragment6(f, "0", "1") && f["ipv6.plen"] == "56" : Fragment6(f, "5", "0") && f["ipv6.plen"] == "28"),
        ["ipv6-fragments-tiny-first"] = (f, i) => f["ipv6.fraghdr.nxt"] == "6" && (i % 2 == 0 ? Fragment6(f, "0", "1") && f["ipv6.plen"] == "16" : Fragment6(f, "1", "0")),
        ["ipv6-fragments-chain-split"] = (f, i) => f["ipv6.fraghdr.nxt"] == "60" && (i % 2 == 0 ? Fragment6(f, "0", "1") && f["ipv6.plen"] == "16" : Fragment6(f, "1", "0") && f["ipv6.plen"] == "76"),
        ["ipv6-na-forged-real-server"] = (f, i) => f["icmpv6.type"] == "136" && f["ipv6.hlim"] == "255" && f["icmpv6.checksum.status"] == "1"
            && f["icmpv6.nd.na.target_address"] == "fd77::b" && f["icmpv6.opt.linkaddr"] == Foreign && f["icmpv6.nd.na.flag.o"] == "1"
            && f["icmpv6.nd.na.flag.s"] == (i % 2 == 1 ? "1" : "0"),
        ["ipv6-fragments-valid"] = (f, i) => f["ipv6.fraghdr.nxt"] == "6" && (i % 2 == 0 ? Fragment6(f, "0", "1") && f["ipv6.plen"] == "32" : Fragment6(f, "3", "0") && f["ipv6.plen"] == "44"),
    };

    [Fact]
    public void EveryClass_DecodesAsItsNameSays()
    {
        var tool = Path.Combine(TestEnvironment.RepositoryRoot, "tools", "LvsNet.Hostile", "bin",
            Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll))!)!, "net10.0", "lvsnet-hostile.dll");
        var list = ProcessResult.Run("dotnet", [tool, "list"], TimeSpan.FromSeconds(60));
        Assert.True(list.ExitCode == 0, list.Output);
        var names = list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
        Assert.Equal(Checks.Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));

        var pcap = Path.Combine(Path.GetTempPath(), $"lvt-hostile-{Environment.ProcessId}.pcap");
        try
        {
            var export = ProcessResult.Run("dotnet", [tool, "pcap", pcap, PerClass.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60));
            Assert.True(export.ExitCode == 0, export.Output);
            var decoded = ProcessResult.Run("tshark", ["-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", .. Fields.SelectMany(f => new[] { "-e", f })], TimeSpan.FromSeconds(60));
            Assert.True(decoded.ExitCode == 0, decoded.Output);
            var rows = decoded.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => Fields.Zip(line.Split('|')).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal)).ToList();
            Assert.Equal(names.Count * PerClass, rows.Count);

            var wrong = new List<string>();
            for (var c = 0; c < names.Count; c++)
            {
                for (var i = 0; i < PerClass; i++)
                {
                    var row = rows[(c * PerClass) + i];
                    if (!Checks[names[c]](row, i))
                    {
                        wrong.Add($"{names[c]} frame {i}: " + string.Join(' ', row.Where(p => p.Value.Length > 0).Select(p => $"{p.Key}={p.Value}")));
                    }
                }
            }

            Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    private static bool Arp(Dictionary<string, string> f, string opcode, string senderMac, string senderIp, string targetIp) =>
        f["arp.opcode"] == opcode && f["arp.src.hw_mac"] == senderMac && f["arp.src.proto_ipv4"] == senderIp && f["arp.dst.proto_ipv4"] == targetIp;

    /// <summary>A well-formed IPv4 header (checksum verified by tshark).</summary>
    private static bool Valid(Dictionary<string, string> f) => f["ip.checksum.status"] == "1" && f["ip.flags.mf"] is "0" or "1";

    private static bool Syn(Dictionary<string, string> f) => Valid(f) && f["tcp.flags"] == "0x0002";

    private static int FirstOctet(Dictionary<string, string> f) => int.Parse(f["ip.src"].Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An IPv6 SYN to the IPv6 VIP whose TCP checksum tshark verified (over the final destination's pseudo-header).</summary>
    private static bool Syn6(Dictionary<string, string> f) =>
        f["ipv6.dst"] == "fd77::100" && f["tcp.flags"] == "0x0002" && f["tcp.checksum.status"] == "1";

    /// <summary>An IPv6 fragment: the fragment header's offset (8-byte units) and M flag.</summary>
    private static bool Fragment6(Dictionary<string, string> f, string offset, string more) =>
        f["ipv6.fraghdr.offset"] == offset && f["ipv6.fraghdr.more"] == more;

    private static bool Fragment(Dictionary<string, string> f, string moreFragments, string offset) =>
        f["ip.flags.mf"] == moreFragments && f["ip.frag_offset"] == offset;
}

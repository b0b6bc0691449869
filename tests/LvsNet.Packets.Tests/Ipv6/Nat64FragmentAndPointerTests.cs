using System.Buffers.Binary;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

/// <summary>
/// RFC 7915's parameter problem pointer tables (§4.2 Figure 3, §5.2 Figure 6) over every pointer
/// value, written here from the figures; and the IPv6 → IPv4 fragment translation's refusals.
/// </summary>
public class Nat64FragmentAndPointerTests
{
    [Fact]
    public void Figure3_Ipv4PointerToIpv6_EveryValue()
    {
        for (var pointer = 0; pointer < 256; pointer++)
        {
            int? expected = pointer switch
            {
                0 => 0,
                1 => 1,
                2 or 3 => 4,
                8 => 7,
                9 => 6,
                >= 12 and <= 15 => 8,
                >= 16 and <= 19 => 24,
                _ => null, // 4-7 identification, flags, offset; 10-11 checksum; options and beyond
            };
            var mapped = Icmpv4ToIcmpv6Translator.TryMapPointer((byte)pointer, out var pointer6);
            Assert.Equal(expected is not null, mapped);
            if (expected is { } value)
            {
                Assert.Equal(value, pointer6);
            }
        }
    }

    [Fact]
    public void Figure6_Ipv6PointerToIpv4_EveryValueOfTheFixedHeaderAndBeyond()
    {
        for (uint pointer = 0; pointer < 300; pointer++)
        {
            int? expected = pointer switch
            {
                0 => 0,
                1 => 1,
                4 or 5 => 2,
                6 => 9,
                7 => 8,
                >= 8 and <= 23 => 12,
                >= 24 and <= 39 => 16,
                _ => null, // 2-3 flow label; 40 and beyond: extension headers, payload
            };
            var mapped = Icmpv6ToIcmpv4Translator.TryMapPointer(pointer, out var pointer4);
            Assert.Equal(expected is not null, mapped);
            if (expected is { } value)
            {
                Assert.Equal(value, pointer4);
            }
        }

        Assert.False(Icmpv6ToIcmpv4Translator.TryMapPointer(uint.MaxValue, out _));
    }

    [Fact]
    public void TypeMapping_ParameterProblemCodes_BothWays()
    {
        // ICMPv4 → ICMPv6: codes 0 and 2 translate (pointer in the top byte of the second word), code 1 does not.
        Assert.True(Icmpv4ToIcmpv6Translator.TryMapType(12, 0, 0x0900_0000, 60, 1500, out var type6, out var code6, out var parameter));
        Assert.Equal((Icmpv6.ParameterProblem, (byte)0, 6u), (type6, code6, parameter));
        Assert.True(Icmpv4ToIcmpv6Translator.TryMapType(12, 2, 0x0200_0000, 60, 1500, out _, out _, out parameter));
        Assert.Equal(4u, parameter);
        Assert.False(Icmpv4ToIcmpv6Translator.TryMapType(12, 1, 0x0900_0000, 60, 1500, out _, out _, out _));
        Assert.False(Icmpv4ToIcmpv6Translator.TryMapType(12, 0, 0x0A00_0000, 60, 1500, out _, out _, out _));

        // ICMPv6 → ICMPv4: code 0 translates to 12/0, code 1 to protocol unreachable, code 2 not at all.
        Assert.True(Icmpv6ToIcmpv4Translator.TryMapType(Icmpv6.ParameterProblem, 0, 7, out var type4, out var code4, out var rest));
        Assert.Equal(((byte)12, (byte)0, 0x0800_0000u), (type4, code4, rest));
        Assert.True(Icmpv6ToIcmpv4Translator.TryMapType(Icmpv6.ParameterProblem, 1, 40, out type4, out code4, out _));
        Assert.Equal(((byte)3, (byte)2), (type4, code4));
        Assert.False(Icmpv6ToIcmpv4Translator.TryMapType(Icmpv6.ParameterProblem, 2, 40, out _, out _, out _));
    }

    [Theory]
    [InlineData(1280, 1232)]
    [InlineData(1500, 1232)]
    [InlineData(9000, 1232)]
    public void MaxFragmentData_FitsTheIpv6MinimumMtu_InWholeEightByteUnits(int mtu, int expected)
    {
        Assert.Equal(expected, Nat64Translator.MaxFragmentData(mtu));
        Assert.Equal(0, Nat64Translator.MaxFragmentData(mtu) % 8);
        Assert.True(40 + 8 + Nat64Translator.MaxFragmentData(mtu) <= 1280);
    }

    [Fact]
    public void ToIpv4Fragment_RefusesWhatCannotBeTranslatedAlone()
    {
        var destination = new byte[2048];

        // A later fragment whose Fragment Header names destination options (the fragmentable part has extension headers).
        var packet = Fragment(nextHeader: 60, offset: 16, more: false, data: 24);
        Assert.True(Ipv6Header.TryParse(packet, out var ip));
        Assert.True(Ipv6ExtensionHeaders.TryWalk(ip, out var chain, out _));
        Assert.Equal(0, Nat64Translator.ToIpv4Fragment(ip, in chain, destination, 0x0A000032, 2000, 0x0A00000B, 8080));

        // Not a fragment at all.
        var plain = Fragment(nextHeader: 6, offset: 0, more: false, data: 24);
        Assert.True(Ipv6Header.TryParse(plain, out ip));
        Assert.True(Ipv6ExtensionHeaders.TryWalk(ip, out chain, out _));
        Assert.False(chain.IsFragment);
        Assert.Equal(0, Nat64Translator.ToIpv4Fragment(ip, in chain, destination, 0x0A000032, 2000, 0x0A00000B, 8080));

        // A later UDP fragment: translated, its data unchanged, identification = the low 16 bits, offset / 8, MF clear.
        var later = Fragment(nextHeader: 17, offset: 1232, more: false, data: 24);
        Assert.True(Ipv6Header.TryParse(later, out ip));
        Assert.True(Ipv6ExtensionHeaders.TryWalk(ip, out chain, out _));
        var length = Nat64Translator.ToIpv4Fragment(ip, in chain, destination, 0x0A000032, 2000, 0x0A00000B, 8080);
        Assert.Equal(20 + 24, length);
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(destination.AsSpan(4)));
        Assert.Equal(1232 / 8, BinaryPrimitives.ReadUInt16BigEndian(destination.AsSpan(6)));
        Assert.Equal(17, destination[9]);
        Assert.Equal(later.AsSpan(48).ToArray(), destination.AsSpan(20, 24).ToArray());
    }

    // IPv6 (2001:db8::10 → 2001:db8::100, hop limit 64) with a Fragment Header (identification 0xDEADBEEF) and data bytes 1, 2, 3, ...
    private static byte[] Fragment(byte nextHeader, int offset, bool more, int data)
    {
        var packet = new byte[40 + 8 + data];
        Ipv6Writer.WriteHeader(packet, 8 + data, Ipv6ExtensionHeaders.Fragment, 64, Ipv6Address.Parse("2001:db8::10"), Ipv6Address.Parse("2001:db8::100"));
        packet[40] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(42), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(44), 0xDEADBEEF);
        for (var i = 0; i < data; i++)
        {
            packet[48 + i] = (byte)(i + 1);
        }

        return packet;
    }
}

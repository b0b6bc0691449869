using System.Buffers.Binary;
using System.Text;
using LvsNet.PacketIo.Bpf;
using Xunit;

namespace LvsNet.PacketIo.Tests.Bpf;

/// <summary>
/// <see cref="BtfReader"/> over a BTF blob built here byte by byte from the format's description (kernel
/// Documentation/bpf/btf.rst: header, <c>struct btf_type</c> and the data each kind carries), with one
/// record of every kind, so that a wrong length for any kind shifts the ids of the types after it.
/// </summary>
public sealed class BtfReaderTests
{
    private const string Target = "bpf_xdp_metadata_rx_vlan_tag";

    [Fact]
    public void FindType_Function_ReturnsItsPositionInTheTypeSection()
    {
        var blob = new BtfBuilder().Build();
        Assert.Equal(BtfBuilder.TargetFunctionId, BtfReader.FindType(blob, BtfKind.Function, Target));
    }

    [Fact]
    public void FindType_TheLastType_IsNumberedAfterEveryKindsData()
    {
        var blob = new BtfBuilder().Build();
        Assert.Equal(BtfBuilder.LastFunctionId, BtfReader.FindType(blob, BtfKind.Function, "after_all"));
    }

    [Fact]
    public void FindType_SameNameOtherKind_IsToldApart()
    {
        var blob = new BtfBuilder().Build();
        Assert.Equal(BtfBuilder.SameNameStructId, BtfReader.FindType(blob, BtfKind.Struct, Target));
    }

    [Fact]
    public void FindType_NamesMatchWhole_NotByPrefix()
    {
        var blob = new BtfBuilder().Build();
        Assert.Equal(BtfBuilder.PrefixFunctionId, BtfReader.FindType(blob, BtfKind.Function, "bpf_xdp_metadata_rx_vlan"));
        Assert.Equal(0, BtfReader.FindType(blob, BtfKind.Function, "bpf_xdp_metadata_rx_vlan_ta"));
        Assert.Equal(0, BtfReader.FindType(blob, BtfKind.Function, Target + "s"));
    }

    [Fact]
    public void FindType_Absent_ReturnsZero()
    {
        var blob = new BtfBuilder().Build();
        Assert.Equal(0, BtfReader.FindType(blob, BtfKind.Function, "bpf_xdp_metadata_rx_timestamp"));
        Assert.Equal(0, BtfReader.FindType(blob, BtfKind.Typedef, Target));
    }

    [Fact]
    public void FindType_LongerHeaderAndSectionsNotAtTheStart_AreFollowed()
    {
        // hdr_len covers fields a newer header may add; the offsets are relative to its end.
        var blob = new BtfBuilder { ExtraHeaderBytes = 8, GapBeforeTypes = 4 }.Build();
        Assert.Equal(BtfBuilder.TargetFunctionId, BtfReader.FindType(blob, BtfKind.Function, Target));
    }

    [Fact]
    public void FindType_BadMagic_OrOtherByteOrder_IsRefused()
    {
        var blob = new BtfBuilder().Build();
        blob[0] = 0xeb;
        blob[1] = 0x9f;
        Assert.Contains("magic", Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, Target)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindType_OtherVersion_IsRefused()
    {
        var blob = new BtfBuilder().Build();
        blob[2] = 2;
        Assert.Contains("version", Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, Target)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindType_ShorterThanTheHeader_IsRefused() =>
        Assert.Throws<FormatException>(() => BtfReader.FindType(new byte[23], BtfKind.Function, Target));

    [Fact]
    public void FindType_SectionPastTheEnd_IsRefused()
    {
        var blob = new BtfBuilder().Build();
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(20)) + 1);
        Assert.Contains("string section", Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, Target)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindType_TypeSectionEndingInsideARecord_IsRefused()
    {
        // Type section shortened by 4 bytes: the last record (a FUNC, 12 bytes) is cut.
        var blob = new BtfBuilder().Build();
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(12)) - 4);
        Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, "after_all"));
    }

    [Fact]
    public void FindType_UnknownKind_IsRefusedNotGuessed()
    {
        var blob = new BtfBuilder { UnknownKindFirst = true }.Build();
        Assert.Contains("kind 20", Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, Target)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindType_NameOffsetPastTheStrings_IsRefused()
    {
        var blob = new BtfBuilder { BadNameOffsetFirst = true }.Build();
        Assert.Throws<FormatException>(() => BtfReader.FindType(blob, BtfKind.Function, Target));
    }

    /// <summary>Writes a BTF blob: header, then the type section, then the string section.</summary>
    private sealed class BtfBuilder
    {
        public const int SameNameStructId = 7;
        public const int PrefixFunctionId = 9;
        public const int TargetFunctionId = 13;
        public const int LastFunctionId = 20;

        private readonly MemoryStream _strings = new();
        private readonly MemoryStream _types = new();

        public int ExtraHeaderBytes { get; init; }

        public int GapBeforeTypes { get; init; }

        public bool UnknownKindFirst { get; init; }

        public bool BadNameOffsetFirst { get; init; }

        public byte[] Build()
        {
            _strings.WriteByte(0); // offset 0: the empty name
            if (UnknownKindFirst)
            {
                Type(0, 20, 0, 0);
            }

            if (BadNameOffsetFirst)
            {
                // A FUNC (the kind looked for, so its name is read) whose name lies past the strings.
                U32(1_000_000);
                U32(Info(12, 1));
                U32(1);
            }

            // [1] INT "int": size 4, then u32 encoding (BTF_INT_SIGNED << 24) | bits 32.
            Type(Name("int"), 1, 0, 4);
            U32(0x01000020);

            // [2] PTR to [1]: no data.
            Type(0, 2, 0, 1);

            // [3] ARRAY: struct btf_array { type, index_type, nelems }.
            Type(0, 3, 0, 0);
            U32(1);
            U32(1);
            U32(4);

            // [4] STRUCT "xdp_md", 2 members: struct btf_member { name_off, type, offset } each.
            Type(Name("xdp_md"), 4, 2, 8);
            U32(Name("data"));
            U32(1);
            U32(0);
            U32(Name("data_end"));
            U32(1);
            U32(32);

            // [5] ENUM, 2 values: struct btf_enum { name_off, s32 val } each.
            Type(Name("e"), 6, 2, 4);
            U32(Name("A"));
            U32(0);
            U32(Name("B"));
            U32(1);

            // [6] ENUM64, 1 value: struct btf_enum64 { name_off, val_lo32, val_hi32 }.
            Type(Name("e64"), 19, 1, 8);
            U32(Name("C"));
            U32(1);
            U32(2);

            // [7] A STRUCT with the target's name and no members (a different kind, same name).
            Type(Name(Target), 4, 0, 0);

            // [8] FUNC_PROTO returning int, 3 params: struct btf_param { name_off, type } each.
            Type(0, 13, 3, 1);
            for (var i = 0; i < 3; i++)
            {
                U32(0);
                U32(2);
            }

            // [9] FUNC named with a prefix of the target (linkage global in vlen).
            Type(Name("bpf_xdp_metadata_rx_vlan"), 12, 1, 8);

            // [10] VAR: struct btf_var { linkage }.
            Type(Name("v"), 14, 0, 1);
            U32(1);

            // [11] DATASEC, 1 entry: struct btf_var_secinfo { type, offset, size }.
            Type(Name(".data"), 15, 1, 4);
            U32(10);
            U32(0);
            U32(4);

            // [12] DECL_TAG on [9]: struct btf_decl_tag { s32 component_idx } (-1: the declaration itself).
            Type(Name("tag"), 17, 0, 9);
            U32(uint.MaxValue);

            // [13] FUNC: the target.
            Type(Name(Target), 12, 1, 8);

            // [14] FLOAT, [15] TYPE_TAG, [16] TYPEDEF, [17] FWD, [18] CONST, [19] VOLATILE: no data.
            Type(Name("float"), 16, 0, 4);
            Type(Name("user"), 18, 0, 1);
            Type(Name("u32"), 8, 0, 1);
            Type(Name("fwd"), 7, 0, 0);
            Type(0, 10, 0, 1);
            Type(0, 9, 0, 1);

            // [20] FUNC after every kind (RESTRICT and UNION have the lengths of VOLATILE and STRUCT).
            Type(Name("after_all"), 12, 0, 8);

            var header = new byte[24 + ExtraHeaderBytes];
            BinaryPrimitives.WriteUInt16LittleEndian(header, 0xeb9f);
            header[2] = 1;
            header[3] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)header.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)GapBeforeTypes);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)_types.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)(GapBeforeTypes + _types.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)_strings.Length);
            return [.. header, .. new byte[GapBeforeTypes], .. _types.ToArray(), .. _strings.ToArray()];
        }

        // info: vlen in bits 0-15, kind in bits 24-28.
        private static uint Info(int kind, int vlen) => ((uint)kind << 24) | (uint)vlen;

        private void Type(uint nameOffset, int kind, int vlen, uint sizeOrType)
        {
            U32(nameOffset);
            U32(Info(kind, vlen));
            U32(sizeOrType);
        }

        private uint Name(string name)
        {
            var offset = (uint)_strings.Length;
            _strings.Write(Encoding.ASCII.GetBytes(name));
            _strings.WriteByte(0);
            return offset;
        }

        private void U32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            _types.Write(bytes);
        }
    }
}

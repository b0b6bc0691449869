using System.Buffers.Binary;
using System.Text;

namespace LvsNet.PacketIo.Bpf;

/// <summary>
/// Reads a raw BTF blob (the BPF Type Format, as the kernel exports it in <c>/sys/kernel/btf/vmlinux</c>)
/// far enough to find a type by kind and name: the header, the type section and the string section.
/// </summary>
/// <remarks>
/// <para>Layout (kernel Documentation/bpf/btf.rst, include/uapi/linux/btf.h), all fields in the byte order of
/// the machine that wrote the blob:</para>
/// <code>
/// struct btf_header { u16 magic (0xeB9F); u8 version (1); u8 flags; u32 hdr_len;
///                     u32 type_off, type_len, str_off, str_len; };   // offsets from the end of the header
/// struct btf_type   { u32 name_off; u32 info; u32 size_or_type; };   // then kind-specific data
/// info: bits 0-15 vlen, bits 24-28 kind, bit 31 kind_flag
/// </code>
/// <para>
/// Type ids are the position in the type section starting at 1 (0 is void). Each kind is followed by data
/// whose length depends on the kind and <c>vlen</c>, so every record has to be walked to number the next;
/// an unknown kind makes the rest of the section unreadable and is reported as such rather than guessed.
/// A blob in the other byte order (magic read as 0x9FEB) is refused: the kernel only exports its own.
/// </para>
/// <para>Open-time only: nothing here is on a per-packet path.</para>
/// </remarks>
internal static class BtfReader
{
    /// <summary>BTF_MAGIC.</summary>
    public const ushort Magic = 0xEB9F;

    /// <summary>BTF_VERSION.</summary>
    public const byte Version = 1;

    /// <summary>sizeof(struct btf_header) in the first version of the format; newer headers may be longer.</summary>
    public const int MinimumHeaderLength = 24;

    /// <summary>sizeof(struct btf_type).</summary>
    public const int TypeRecordLength = 12;

    /// <summary>Finds the id of the first type of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    /// <returns>The type id (1 or more), or 0 when the blob has no such type.</returns>
    /// <exception cref="FormatException">The blob is not BTF this reader understands (bad magic, version, bounds or kind); the message says which.</exception>
    public static int FindType(ReadOnlySpan<byte> btf, BtfKind kind, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var wanted = Encoding.UTF8.GetBytes(name);
        Sections(btf, out var types, out var strings);
        var id = 1;
        var offset = 0;
        while (offset < types.Length)
        {
            if (types.Length - offset < TypeRecordLength)
            {
                throw new FormatException($"BTF type {id} at type offset {offset} is cut off by the end of the type section ({types.Length} bytes).");
            }

            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(types[offset..]);
            var info = BinaryPrimitives.ReadUInt32LittleEndian(types[(offset + 4)..]);
            var recordKind = (BtfKind)((info >> 24) & 0x1f);
            var length = TypeRecordLength + DataLength(recordKind, (int)(info & 0xffff), id);
            if (length > types.Length - offset)
            {
                throw new FormatException($"BTF type {id} ({recordKind}) at type offset {offset} runs past the end of the type section.");
            }

            if (recordKind == kind && NameEquals(strings, nameOffset, wanted, id))
            {
                return id;
            }

            offset += length;
            id++;
        }

        return 0;
    }

    /// <summary>The type and string sections of a BTF blob, with the header checked.</summary>
    /// <exception cref="FormatException">The header is not valid for this reader.</exception>
    public static void Sections(ReadOnlySpan<byte> btf, out ReadOnlySpan<byte> types, out ReadOnlySpan<byte> strings)
    {
        if (btf.Length < MinimumHeaderLength)
        {
            throw new FormatException($"BTF blob of {btf.Length} bytes is shorter than its header ({MinimumHeaderLength} bytes).");
        }

        // The blob is in the writer's byte order; this reader only runs where the kernel that wrote it runs,
        // and the project's targets (x86_64, arm64) are little-endian.
        var magic = BinaryPrimitives.ReadUInt16LittleEndian(btf);
        if (magic != Magic)
        {
            throw new FormatException($"BTF magic 0x{magic:X4} is not 0x{Magic:X4} (not BTF, or written in the other byte order).");
        }

        if (btf[2] != Version)
        {
            throw new FormatException($"BTF version {btf[2]} is not supported (only {Version}).");
        }

        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(btf[4..]);
        var typeOffset = BinaryPrimitives.ReadUInt32LittleEndian(btf[8..]);
        var typeLength = BinaryPrimitives.ReadUInt32LittleEndian(btf[12..]);
        var stringOffset = BinaryPrimitives.ReadUInt32LittleEndian(btf[16..]);
        var stringLength = BinaryPrimitives.ReadUInt32LittleEndian(btf[20..]);
        if (headerLength < MinimumHeaderLength || headerLength > (uint)btf.Length)
        {
            throw new FormatException($"BTF header length {headerLength} is outside 24..{btf.Length}.");
        }

        var body = btf[(int)headerLength..];
        if ((ulong)typeOffset + typeLength > (ulong)body.Length)
        {
            throw new FormatException($"BTF type section ({typeOffset}+{typeLength}) runs past the end of the blob ({body.Length} bytes after the header).");
        }

        if ((ulong)stringOffset + stringLength > (ulong)body.Length)
        {
            throw new FormatException($"BTF string section ({stringOffset}+{stringLength}) runs past the end of the blob ({body.Length} bytes after the header).");
        }

        types = body.Slice((int)typeOffset, (int)typeLength);
        strings = body.Slice((int)stringOffset, (int)stringLength);
    }

    /// <summary>The bytes of kind-specific data that follow a <c>struct btf_type</c>.</summary>
    private static int DataLength(BtfKind kind, int vlen, int id) => kind switch
    {
        BtfKind.Int or BtfKind.Variable or BtfKind.DeclarationTag => 4,
        BtfKind.Array => 12,
        BtfKind.Struct or BtfKind.Union or BtfKind.DataSection or BtfKind.Enum64 => 12 * vlen,
        BtfKind.Enum or BtfKind.FunctionPrototype => 8 * vlen,
        BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
            or BtfKind.Function or BtfKind.Float or BtfKind.TypeTag => 0,
        _ => throw new FormatException($"BTF type {id} has kind {(int)kind}, which this reader does not know; the types after it cannot be numbered."),
    };

    // The string at nameOffset (NUL-terminated) equals wanted.
    private static bool NameEquals(ReadOnlySpan<byte> strings, uint nameOffset, ReadOnlySpan<byte> wanted, int id)
    {
        if (nameOffset >= (uint)strings.Length)
        {
            throw new FormatException($"BTF type {id} names string offset {nameOffset}, past the string section ({strings.Length} bytes).");
        }

        var rest = strings[(int)nameOffset..];
        return rest.Length > wanted.Length && rest[wanted.Length] == 0 && rest.StartsWith(wanted);
    }
}

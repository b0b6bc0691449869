using System.Buffers.Binary;
using System.Globalization;

namespace LvsNet.Packets;

/// <summary>A 48-bit Ethernet address held in the low bits of a <see cref="ulong"/> (first octet most significant).</summary>
public readonly struct MacAddress : IEquatable<MacAddress>
{
    /// <summary>The length of an Ethernet address in bytes.</summary>
    public const int Length = 6;

    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Creates an address from its 48-bit value.</summary>
    public MacAddress(ulong value) => Value = value & Mask;

    /// <summary>The broadcast address ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(Mask);

    /// <summary>The all-zero address.</summary>
    public static MacAddress Zero { get; }

    /// <summary>The 48-bit value, first octet in bits 40..47.</summary>
    public ulong Value { get; }

    /// <summary>True for the all-zero address.</summary>
    public bool IsZero => Value == 0;

    /// <summary>True when the group (multicast or broadcast) bit is set.</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000UL) != 0;

    /// <summary>Reads an address from the first six bytes of <paramref name="source"/>.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source)
    {
        var high = BinaryPrimitives.ReadUInt16BigEndian(source);
        var low = BinaryPrimitives.ReadUInt32BigEndian(source.Slice(2));
        return new MacAddress(((ulong)high << 32) | low);
    }

    /// <summary>Writes the address into the first six bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(2), (uint)Value);
    }

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c> (or with dashes).</summary>
    public static bool TryParse(string? text, out MacAddress address)
    {
        address = default;
        if (text is null || text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
            {
                return false;
            }

            // HexNumber would also allow leading/trailing white space ("aa: b:..."); only hex digits are an octet.
            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet))
            {
                return false;
            }

            value = (value << 8) | octet;
        }

        address = new MacAddress(value);
        return true;
    }

    /// <summary>Parses an address, throwing <see cref="FormatException"/> when it is not one.</summary>
    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff).");

    /// <inheritdoc />
    public bool Equals(MacAddress other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>Formats as lower-case <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            var octet = (byte)(Value >> (40 - (8 * i)));
            octet.TryFormat(buffer.Slice(i * 3, 2), out _, "x2", CultureInfo.InvariantCulture);
            if (i < 5)
            {
                buffer[(i * 3) + 2] = ':';
            }
        }

        return new string(buffer);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(MacAddress left, MacAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MacAddress left, MacAddress right) => !left.Equals(right);
}

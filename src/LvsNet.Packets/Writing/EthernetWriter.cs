using System.Buffers.Binary;

namespace LvsNet.Packets.Writing;

/// <summary>Writes and rewrites Ethernet headers in caller buffers.</summary>
public static class EthernetWriter
{
    /// <summary>Writes an untagged Ethernet header at the start of <paramref name="frame"/>.</summary>
    /// <returns>The header length (14).</returns>
    public static int WriteHeader(Span<byte> frame, MacAddress destination, MacAddress source, EtherType type)
    {
        destination.WriteTo(frame);
        source.WriteTo(frame.Slice(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(12), (ushort)type);
        return EthernetHeader.Length;
    }

    /// <summary>Rewrites the destination and source addresses of a frame in place (the DR rewrite).</summary>
    public static void SetAddresses(Span<byte> frame, MacAddress destination, MacAddress source)
    {
        destination.WriteTo(frame);
        source.WriteTo(frame.Slice(6));
    }
}

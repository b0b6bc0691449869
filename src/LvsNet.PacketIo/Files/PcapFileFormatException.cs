namespace LvsNet.PacketIo.Files;

/// <summary>A .pcap file is malformed or truncated.</summary>
public sealed class PcapFileFormatException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public PcapFileFormatException()
        : this("The file is not a valid pcap file.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public PcapFileFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public PcapFileFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a problem at a byte offset in the file.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="offset">The byte offset of the offending structure.</param>
    public PcapFileFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>The byte offset of the offending structure, or -1 when unknown.</summary>
    public long Offset { get; } = -1;
}

namespace LvsNet.Core.Neighbours;

/// <summary>
/// Where the neighbour table sends ARP requests and the frames it held while a neighbour
/// resolved. Defined here so that the table does not depend on the data path that owns it.
/// </summary>
public interface IFrameSender
{
    /// <summary>Sends one frame; false when it could not be sent.</summary>
    bool Send(ReadOnlySpan<byte> frame);
}

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>Copies every frame it is handed (tests only: allocates per frame).</summary>
internal sealed class CollectingFrameHandler : IFrameHandler
{
    /// <summary>The frames received, in order.</summary>
    public List<byte[]> Frames { get; } = [];

    /// <summary>The wire lengths reported, in order.</summary>
    public List<int> WireLengths { get; } = [];

    /// <inheritdoc/>
    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        Frames.Add(frame.ToArray());
        WireLengths.Add(wireLength);
    }

    /// <summary>The received frames with the given EtherType.</summary>
    public List<byte[]> WithEtherType(ushort etherType) =>
        Frames.Where(frame => TestFrames.GetEtherType(frame) == etherType).ToList();
}

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>Counts frames of the experimental EtherType and sums their bytes, allocating nothing.</summary>
internal sealed class CountingFrameHandler : IFrameHandler
{
    /// <summary>Frames seen with <see cref="TestFrames.ExperimentalEtherType"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of all bytes of those frames (touches the data so the read is real).</summary>
    public long ByteSum { get; private set; }

    /// <inheritdoc/>
    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        if (TestFrames.GetEtherType(frame) != TestFrames.ExperimentalEtherType)
        {
            return;
        }

        Count++;
        foreach (var value in frame)
        {
            ByteSum += value;
        }
    }
}

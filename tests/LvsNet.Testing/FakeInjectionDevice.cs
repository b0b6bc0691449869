using LvsNet.PacketIo;

namespace LvsNet.Testing;

/// <summary>
/// An injection device that records every frame sent (or, when <see cref="Record"/> is off, only counts
/// them). Every recorded frame is first decoded by PacketDotNet (<see cref="IndependentDecoder.AssertWellFormed"/>),
/// so a malformed frame fails the test that made the data path send it.
/// </summary>
public sealed class FakeInjectionDevice : IInjectionDevice
{
    /// <summary>Frames sent, oldest first.</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>When false, frames are counted but not copied (for allocation tests).</summary>
    public bool Record { get; set; } = true;

    /// <summary>Frames sent, counted even when not recorded.</summary>
    public long Count { get; private set; }

    /// <summary>When true, every send fails.</summary>
    public bool FailSends { get; set; }

    /// <inheritdoc />
    public string Name => "fake0";

    /// <inheritdoc />
    public long SendFailures { get; private set; }

    /// <inheritdoc />
    public bool Send(ReadOnlySpan<byte> frame)
    {
        if (FailSends)
        {
            SendFailures++;
            return false;
        }

        Count++;
        if (Record)
        {
            IndependentDecoder.AssertWellFormed(frame);
            Sent.Add(frame.ToArray());
        }

        return true;
    }

    /// <summary>Calls to <see cref="Flush"/>.</summary>
    public long Flushes { get; private set; }

    /// <inheritdoc />
    public void Flush() => Flushes++;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

namespace LvsNet.Core.DataPath;

/// <summary>Receives a copy of every frame the data path sends (the <c>capture_to</c> debugging file).</summary>
public interface IFrameTap
{
    /// <summary>Called after a frame was handed to the injection device.</summary>
    void OnSent(ReadOnlySpan<byte> frame);
}

using LvsNet.Core.DataPath;
using LvsNet.Pcap;

namespace LvsNet.Daemon;

/// <summary>Writes every frame the daemon sends to a .pcap file (<c>capture.capture_to</c>), for debugging with tcpdump or tshark.</summary>
public sealed class PcapFileTap : IFrameTap, IDisposable
{
    private readonly PcapFileWriter _writer;
    private readonly TimeProvider _time;

    /// <summary>Creates the file (replacing an old one).</summary>
    public PcapFileTap(string path, TimeProvider time)
    {
        _writer = PcapFileWriter.Create(path);
        _time = time;
    }

    /// <inheritdoc />
    public void OnSent(ReadOnlySpan<byte> frame) => _writer.Write(frame, _time.GetUtcNow());

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}

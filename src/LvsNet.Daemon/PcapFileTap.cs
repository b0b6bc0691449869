using LvsNet.Core.DataPath;
using LvsNet.PacketIo;
using LvsNet.PacketIo.Files;

namespace LvsNet.Daemon;

/// <summary>Writes every frame the daemon sends to a .pcap file (<c>capture.capture_to</c>), for debugging with tcpdump or tshark.</summary>
/// <remarks>Shared by every capture worker, so writes take a lock (a debugging aid, not a fast path).</remarks>
public sealed class PcapFileTap : IFrameTap, IDisposable
{
    private readonly PcapFileWriter _writer;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    /// <summary>Creates the file (replacing an old one).</summary>
    public PcapFileTap(string path, TimeProvider time)
    {
        _writer = PcapFileWriter.Create(path);
        _time = time;
    }

    /// <inheritdoc />
    public void OnSent(ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            _writer.Write(frame, _time.GetUtcNow());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>A uniquely named file under the temp directory, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    /// <summary>Reserves a name ending in <paramref name="extension"/> (tcpdump's AppArmor profile wants .pcap).</summary>
    public TempFile(string extension = ".pcap")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lvt-pcap-" + Guid.NewGuid().ToString("N") + extension);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Dispose() => File.Delete(Path);
}

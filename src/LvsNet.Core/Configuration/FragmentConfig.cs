namespace LvsNet.Core.Configuration;

/// <summary>
/// The bounds of IP fragment handling (YAML <c>fragments</c>): how much memory the fragments of
/// incomplete datagrams may hold, how many datagrams may be collected at once, and how long a
/// datagram may take to arrive whole. The first two are split between the capture workers, as
/// <c>connections.max_entries</c> is, and fixed at start (a change waits for a restart); the
/// timeout applies at the next reload.
/// </summary>
public sealed record FragmentConfig
{
    /// <summary>The default memory: about 1,000 fragments of a 1,500-byte MTU.</summary>
    public const int DefaultMemoryBytes = 1536 * 1024;

    /// <summary>
    /// The memory for fragments waiting for their datagram, in bytes (YAML <c>memory_bytes</c>,
    /// 65,536 to 1 GiB; the kernel's <c>ipfrag_high_thresh</c>). Each buffer holds one frame of the
    /// NIC's MTU plus 32 bytes; beyond it new fragments are refused (<c>FragmentNoBuffer</c>).
    /// </summary>
    public int MemoryBytes { get; init; } = DefaultMemoryBytes;

    /// <summary>Datagrams whose fragments may be collected at once (YAML <c>max_datagrams</c>, 4 to 1,048,576).</summary>
    public int MaxDatagrams { get; init; } = 256;

    /// <summary>
    /// How long a datagram may take to arrive whole from its first fragment seen (YAML <c>timeout</c>,
    /// 100 ms to 120 s; the kernel's <c>ipfrag_time</c>, 30 s there). Then its fragments are dropped
    /// (<c>FragmentTimeout</c>).
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The buffers one of <paramref name="workers"/> workers gets for a NIC of <paramref name="mtu"/>: at least 16.</summary>
    public int BuffersPerWorker(int mtu, int workers) => Math.Max(16, MemoryBytes / Math.Max(1, workers) / (mtu + 32));

    /// <summary>The datagrams one of <paramref name="workers"/> workers may collect at once: at least 4.</summary>
    public int DatagramsPerWorker(int workers) => Math.Max(4, MaxDatagrams / Math.Max(1, workers));
}

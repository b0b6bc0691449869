namespace LvsNet.PacketIo.AfXdp;

/// <summary>One of the four single-producer single-consumer rings shared with the kernel by an AF_XDP socket.</summary>
/// <remarks>
/// <para>
/// The ring is an array of <see cref="Size"/> entries (a power of two) plus a producer and a consumer
/// index that run freely and wrap at 2^32. For the fill and TX rings this process produces and the
/// kernel consumes; for the RX and completion rings it is the other way round. Each side keeps a cached
/// copy of both indices and touches the shared ones only when the cache runs out (the scheme of the
/// kernel's Documentation/networking/af_xdp.rst and of libxdp's xsk.h).
/// </para>
/// <para>
/// Ordering: entries are written before the producer index is published with a release store
/// (<see cref="Volatile.Write(ref uint, uint)"/>) and read after an acquire load of it; the consumer index
/// is published with a release store after the entries were read. This matches the kernel side's
/// smp_load_acquire/smp_store_release pairs.
/// </para>
/// </remarks>
internal unsafe struct XdpRing
{
    /// <summary>The shared producer index.</summary>
    public uint* Producer;

    /// <summary>The shared consumer index.</summary>
    public uint* Consumer;

    /// <summary>The entries: <c>struct xdp_desc</c> for RX/TX, a u64 UMEM address for fill/completion.</summary>
    public byte* Entries;

    /// <summary>Number of entries (a power of two).</summary>
    public uint Size;

    /// <summary><see cref="Size"/> - 1.</summary>
    public uint Mask;

    /// <summary>This side's view of the producer index (the true value when this side produces).</summary>
    public uint CachedProducer;

    /// <summary>This side's view of the consumer index (the true value when this side consumes).</summary>
    public uint CachedConsumer;

    /// <summary>Producer side: free slots, refreshing the consumer index only when fewer than <paramref name="wanted"/> are known free.</summary>
    public uint Free(uint wanted)
    {
        var free = Size - (CachedProducer - CachedConsumer);
        if (free >= wanted)
        {
            return free;
        }

        CachedConsumer = Volatile.Read(ref *Consumer);
        return Size - (CachedProducer - CachedConsumer);
    }

    /// <summary>Producer side: makes every entry written so far visible to the kernel.</summary>
    public readonly void Publish() => Volatile.Write(ref *Producer, CachedProducer);

    /// <summary>Consumer side: entries ready to read, refreshing the producer index when none are known.</summary>
    public uint Available()
    {
        var available = CachedProducer - CachedConsumer;
        if (available != 0)
        {
            return available;
        }

        CachedProducer = Volatile.Read(ref *Producer);
        return CachedProducer - CachedConsumer;
    }

    /// <summary>Consumer side: hands every entry read so far back to the kernel.</summary>
    public readonly void Release() => Volatile.Write(ref *Consumer, CachedConsumer);

    /// <summary>Whether the kernel has consumed everything this side produced (TX ring: all frames taken).</summary>
    public readonly bool IsDrained() => Volatile.Read(ref *Consumer) == CachedProducer;

    /// <summary>The descriptor at free-running index <paramref name="index"/> (RX and TX rings).</summary>
    public readonly Interop.Xdp.XdpDesc* Descriptor(uint index) => (Interop.Xdp.XdpDesc*)Entries + (index & Mask);

    /// <summary>The address slot at free-running index <paramref name="index"/> (fill and completion rings).</summary>
    public readonly ulong* Address(uint index) => (ulong*)Entries + (index & Mask);
}

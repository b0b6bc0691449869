namespace LvsNet.PacketIo.AfXdp;

/// <summary>Owns an AF_XDP socket and the memory mapped for it: its UMEM and its four rings.</summary>
/// <remarks>
/// One handle for all of them, so that a single DangerousAddRef on the data path keeps every raw
/// pointer valid: <see cref="ReleaseHandle"/> (which runs only when the last reference is released)
/// closes the socket and only then unmaps the rings and the UMEM.
/// </remarks>
internal sealed class XskSocketHandle : FileDescriptorHandle
{
    private readonly List<MemoryMapping> _mappings = [];

    /// <summary>Takes ownership of the socket <paramref name="fd"/>.</summary>
    public static new XskSocketHandle Adopt(int fd)
    {
        var result = new XskSocketHandle();
        result.SetHandle(fd);
        return result;
    }

    /// <summary>Makes <paramref name="mapping"/> part of this handle: it is unmapped after the socket is closed.</summary>
    public void Own(MemoryMapping mapping) => _mappings.Add(mapping);

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        base.ReleaseHandle();
        foreach (var mapping in _mappings)
        {
            mapping.Unmap();
        }

        return true;
    }
}

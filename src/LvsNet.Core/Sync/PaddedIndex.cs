using System.Runtime.InteropServices;

namespace LvsNet.Core.Sync;

/// <summary>A ring index alone on its cache line, so that the producer's writes do not slow the consumer's reads of its own index.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedIndex
{
    /// <summary>The index.</summary>
    [FieldOffset(64)]
    public long Value;
}

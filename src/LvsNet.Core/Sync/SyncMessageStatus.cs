namespace LvsNet.Core.Sync;

/// <summary>What became of one received sync message (the kernel's ip_vs_process_message checks, in order).</summary>
public enum SyncMessageStatus
{
    /// <summary>Read; its records are in the output (some may have been skipped, see <see cref="SyncMessageReader.Skipped"/>).</summary>
    Accepted,

    /// <summary>Shorter than the smallest header.</summary>
    TooShort,

    /// <summary>The header's size is not the datagram's length.</summary>
    BadSize,

    /// <summary>The backup has a sync id and the message another.</summary>
    OtherSyncId,

    /// <summary>A record runs past the end, has an unknown record version or malformed options: the rest of the message is dropped (records before it stay in the output).</summary>
    Malformed,
}

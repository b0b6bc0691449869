namespace LvsNet.PacketIo.AfPacket;

/// <summary>The layout of an <see cref="AfPacketDevice"/>'s receive ring (packet(7), PACKET_VERSION).</summary>
public enum AfPacketRingVersion
{
    /// <summary>
    /// TPACKET_V2: fixed-size frame slots. The kernel marks each frame ready as it arrives and wakes a
    /// sleeping reader for it, so a frame never waits for a timer; under load the reader finds many
    /// ready slots per wake-up and handles them as one batch. A frame longer than the slot
    /// (<see cref="AfPacketOptions.FrameSizeBytes"/> less the 66-byte header) is truncated.
    /// </summary>
    V2 = 1,

    /// <summary>
    /// TPACKET_V3: variable-length frames packed into blocks. The kernel wakes the reader only when a
    /// block is full or its <see cref="AfPacketOptions.BlockTimeout"/> expires, so under light load
    /// every frame waits up to the timeout (measured: docs/benchmarks.md, HTTP section).
    /// </summary>
    V3 = 2,
}

namespace LvsNet.PacketIo.AfPacket;

/// <summary>How the kernel spreads frames over the sockets of one PACKET_FANOUT group (packet(7)).</summary>
public enum AfPacketFanoutMode
{
    /// <summary>PACKET_FANOUT_HASH: by flow hash, so every frame of a flow reaches the same socket.</summary>
    Hash = 0,

    /// <summary>PACKET_FANOUT_LB: round robin over the sockets.</summary>
    LoadBalance = 1,

    /// <summary>PACKET_FANOUT_CPU: by the CPU that received the frame.</summary>
    Cpu = 2,

    /// <summary>
    /// PACKET_FANOUT_CBPF: a classic BPF program chooses the socket (its result modulo the group's
    /// size); set it with <see cref="AfPacketDevice.SetFanoutProgram"/> on any member. Until a
    /// program is set, every frame goes to the first socket.
    /// </summary>
    ClassicBpf = 6,
}

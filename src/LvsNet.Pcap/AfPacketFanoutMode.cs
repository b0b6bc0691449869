namespace LvsNet.Pcap;

/// <summary>How the kernel spreads frames over the sockets of one PACKET_FANOUT group (packet(7)).</summary>
public enum AfPacketFanoutMode
{
    /// <summary>PACKET_FANOUT_HASH: by flow hash, so every frame of a flow reaches the same socket.</summary>
    Hash = 0,

    /// <summary>PACKET_FANOUT_LB: round robin over the sockets.</summary>
    LoadBalance = 1,

    /// <summary>PACKET_FANOUT_CPU: by the CPU that received the frame.</summary>
    Cpu = 2,
}

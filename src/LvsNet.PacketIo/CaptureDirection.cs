namespace LvsNet.PacketIo;

/// <summary>Which frames a capture handle sees (libpcap's <c>pcap_direction_t</c>, same values).</summary>
public enum CaptureDirection
{
    /// <summary>PCAP_D_INOUT: frames received and sent by the interface.</summary>
    InOut = 0,

    /// <summary>PCAP_D_IN: frames received by the interface only (the forwarder's own transmissions are not seen).</summary>
    In = 1,

    /// <summary>PCAP_D_OUT: frames sent by the interface only.</summary>
    Out = 2,
}

namespace LvsNet.Core.Neighbours;

/// <summary>Why the neighbour table did not take what an ARP packet claimed. Every refusal is counted and logged (rate-limited).</summary>
public enum ArpRefusal : byte
{
    /// <summary>Nothing refused: the packet was learned from, confirmed what is known, or concerned no neighbour in use.</summary>
    None = 0,

    /// <summary>The sender MAC is zero, broadcast or multicast: no host has it.</summary>
    InvalidSenderMac,

    /// <summary>The sender MAC is the director's own: a spoofed or looped frame.</summary>
    OwnSenderMac,

    /// <summary>The sender IP is the director's own address, a local address or a VIP: another host claims it (an address conflict).</summary>
    AddressConflict,

    /// <summary>
    /// A neighbour in use was claimed at another MAC by a packet that answers no request of the
    /// director (gratuitous ARP, a request, an unsolicited or late reply): only a hint, which makes
    /// the director probe the known MAC.
    /// </summary>
    Unsolicited,

    /// <summary>An answer to a unicast probe of the known MAC came from another MAC.</summary>
    UnexpectedMac,

    /// <summary>A neighbour with a configured static MAC was claimed at another MAC.</summary>
    StaticEntry,
}

using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>One connection as <c>ipvsadm -L -n -c</c> lists it.</summary>
/// <param name="Protocol">The protocol (<see cref="IpProtocol"/> 0 for a fwmark template, shown as "IP").</param>
/// <param name="ClientAddress">The client's address (masked for a persistence template).</param>
/// <param name="ClientPort">The client's port (0 for a template).</param>
/// <param name="VirtualAddress">The VIP.</param>
/// <param name="VirtualPort">The virtual port.</param>
/// <param name="DestinationAddress">The real server's address.</param>
/// <param name="DestinationPort">The real server's port.</param>
/// <param name="State">The state.</param>
/// <param name="Expires">Time left before the entry expires.</param>
/// <param name="IsTemplate">True for a persistence template.</param>
/// <param name="IsAssured">True for a template that controlled an established connection (listed as ASSURED).</param>
/// <param name="LocalAddress">FULLNAT: the local address the real server sees, else 0.</param>
/// <param name="LocalPort">FULLNAT: the local port, else 0.</param>
public readonly record struct ConnectionInfo(
    IpProtocol Protocol,
    uint ClientAddress,
    ushort ClientPort,
    uint VirtualAddress,
    ushort VirtualPort,
    uint DestinationAddress,
    ushort DestinationPort,
    ConnectionState State,
    TimeSpan Expires,
    bool IsTemplate = false,
    bool IsAssured = false,
    uint LocalAddress = 0,
    ushort LocalPort = 0)
{
    /// <summary>The state as ipvsadm prints it (templates: NONE or ASSURED).</summary>
    public string StateName => IsTemplate ? (IsAssured ? "ASSURED" : "NONE") : ConnectionStates.Name(State);
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>
/// Link-layer multicast groups the interface must receive for the daemon: the IPv6 solicited-node groups
/// (33:33:ff:xx:xx:xx) of the VIPs and local addresses, where neighbour solicitations for them arrive.
/// A veth or bridge port delivers every multicast frame, but a physical NIC filters multicast groups no
/// one joined, so without them the director would never hear a solicitation for an IPv6 VIP (the
/// kernel joins the groups of the host's own addresses only).
/// </summary>
/// <remarks>
/// The groups are memberships of a packet socket that receives nothing (protocol 0, never bound):
/// PACKET_ADD_MEMBERSHIP with PACKET_MR_MULTICAST adds the address to the device's multicast list with
/// a reference of its own (dev_mc_add, counted beside the host's), and the kernel drops every
/// membership of the socket when it is closed, also when the process is killed, so the daemon never
/// leaves a group behind and never removes one the host or another program joined
/// (<c>ip maddr show dev IF</c> lists them while the daemon runs).
/// </remarks>
public sealed unsafe class LinkMulticastGroups : IDisposable
{
    private readonly PacketSocketHandle _socket;
    private readonly int _interfaceIndex;
    private readonly HashSet<ulong> _joined = [];

    /// <summary>Opens the socket that holds the memberships of <paramref name="interfaceName"/>.</summary>
    /// <param name="interfaceName">The capture interface.</param>
    /// <exception cref="PcapException">No such interface, or no CAP_NET_RAW.</exception>
    public LinkMulticastGroups(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        _interfaceIndex = (int)Interop.Libc.if_nametoindex(interfaceName);
        if (_interfaceIndex == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new PcapException($"if_nametoindex failed on '{interfaceName}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", "if_nametoindex", errno);
        }

        InterfaceName = interfaceName;
        _socket = PacketSocketHandle.Create();
    }

    /// <summary>The interface.</summary>
    public string InterfaceName { get; }

    /// <summary>The groups joined now: MAC addresses in the low 48 bits, the first octet most significant.</summary>
    public IReadOnlyCollection<ulong> Joined => _joined;

    /// <summary>The solicited-node group's MAC of an IPv6 address (RFC 4291 §2.7.1, RFC 2464 §7): 33:33:ff and the address's last 24 bits.</summary>
    /// <param name="addressLow64">The low 64 bits of the IPv6 address.</param>
    public static ulong SolicitedNodeMac(ulong addressLow64) => 0x3333_FF00_0000UL | (addressLow64 & 0xFF_FFFF);

    /// <summary>Joins the groups of <paramref name="macs"/> not yet joined and leaves the joined ones it does not name.</summary>
    /// <param name="macs">The wanted groups (multicast MACs in the low 48 bits).</param>
    /// <exception cref="ArgumentException">An address is not a multicast MAC.</exception>
    /// <exception cref="PcapException">The kernel refused a membership (the groups joined before it stay).</exception>
    public void Set(IEnumerable<ulong> macs)
    {
        ArgumentNullException.ThrowIfNull(macs);
        var wanted = new HashSet<ulong>(macs);
        foreach (var mac in wanted)
        {
            if ((mac & 0x0100_0000_0000UL) == 0 || mac > 0xFFFF_FFFF_FFFFUL)
            {
                throw new ArgumentException($"{mac:x12} is not a multicast MAC address", nameof(macs));
            }
        }

        foreach (var mac in _joined.Where(m => !wanted.Contains(m)).ToList())
        {
            Change(Interop.Libc.PACKET_DROP_MEMBERSHIP, mac);
            _joined.Remove(mac);
        }

        foreach (var mac in wanted.Where(m => !_joined.Contains(m)).ToList())
        {
            Change(Interop.Libc.PACKET_ADD_MEMBERSHIP, mac);
            _joined.Add(mac);
        }
    }

    /// <summary>Leaves every group (closing the socket does it in the kernel).</summary>
    public void Dispose()
    {
        _joined.Clear();
        _socket.Dispose();
    }

    private void Change(int option, ulong mac)
    {
        var membership = new Interop.Libc.PacketMreq { InterfaceIndex = _interfaceIndex, Type = Interop.Libc.PACKET_MR_MULTICAST, AddressLength = 6 };

        // mr_address is a byte array: the MAC's octets in wire order from its first byte.
        Span<byte> octets = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(octets, mac << 16);
        membership.Address = BinaryPrimitives.ReadUInt64LittleEndian(octets);
        if (Interop.Libc.setsockopt(_socket, Interop.Libc.SOL_PACKET, option, &membership, (uint)sizeof(Interop.Libc.PacketMreq)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var step = option == Interop.Libc.PACKET_ADD_MEMBERSHIP ? "PACKET_ADD_MEMBERSHIP" : "PACKET_DROP_MEMBERSHIP";
            throw PcapException.FromErrno($"setsockopt({step}, {mac:x12}) on {InterfaceName}", errno);
        }
    }
}

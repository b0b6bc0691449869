using System.Buffers.Binary;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

public sealed partial class AfXdpDevice
{
    private readonly Dictionary<UInt128, uint> _addresses6 = [];

    /// <summary>
    /// Replaces the IPv6 address sets the program redirects by (see <see cref="XdpIpv6Addresses"/> and
    /// <see cref="XdpIpv6Filter"/> for what each set takes).
    /// </summary>
    /// <remarks>
    /// The IPv6 hash map is updated in place like the IPv4 one: removed addresses first, then new or
    /// changed ones, so an address in both the old and the new sets is never missing. Safe from any
    /// thread (calls are serialised with the IPv4 updates).
    /// </remarks>
    /// <exception cref="ArgumentException">More than <see cref="AfXdpOptions.MaxAddresses"/> distinct IPv6 addresses.</exception>
    /// <exception cref="XdpException">The kernel refused a map update (the sets may then be partly applied; calling again retries).</exception>
    public void SetAddresses6(XdpIpv6Addresses addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var wanted = new Dictionary<UInt128, uint>();
        AddFlags(wanted, addresses.Owned, XdpAddressFilterProgram.Owned);
        AddFlags(wanted, addresses.ReplySources, XdpAddressFilterProgram.ReplySource);
        AddFlags(wanted, addresses.HostAddresses, XdpAddressFilterProgram.Host);
        if (wanted.Count > _maxAddresses)
        {
            throw new ArgumentException($"{wanted.Count} distinct IPv6 addresses exceed the map size of {_maxAddresses} (AfXdpOptions.MaxAddresses).", nameof(addresses));
        }

        Span<byte> key = stackalloc byte[16];
        lock (_addressLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            foreach (var address in _addresses6.Keys.ToArray())
            {
                if (!wanted.ContainsKey(address))
                {
                    BinaryPrimitives.WriteUInt128BigEndian(key, address);
                    var errno = BpfSystem.DeleteElement(_address6Map, key);
                    if (errno != 0 && errno != Enoent)
                    {
                        throw XdpException.FromErrno("bpf(BPF_MAP_DELETE_ELEM, lvs_addresses6)", errno);
                    }

                    _addresses6.Remove(address);
                }
            }

            foreach (var (address, flags) in wanted)
            {
                if (!_addresses6.TryGetValue(address, out var current) || current != flags)
                {
                    BinaryPrimitives.WriteUInt128BigEndian(key, address);
                    var errno = BpfSystem.UpdateElement(_address6Map, key, flags);
                    if (errno != 0)
                    {
                        throw XdpException.FromErrno("bpf(BPF_MAP_UPDATE_ELEM, lvs_addresses6)", errno);
                    }

                    _addresses6[address] = flags;
                }
            }
        }
    }

    private static void AddFlags(Dictionary<UInt128, uint> entries, IReadOnlyCollection<UInt128> addresses, uint flag)
    {
        foreach (var address in addresses)
        {
            entries[address] = entries.GetValueOrDefault(address) | flag;
        }
    }
}

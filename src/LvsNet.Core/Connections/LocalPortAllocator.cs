using System.Numerics;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>
/// FULLNAT source ports: one bitmap of ports in use per (protocol, local address), so a port is
/// never handed out while a connection holds it, and is free again as soon as its connection is.
/// </summary>
/// <remarks>
/// <para>Each bitmap has a cursor that moves forward with every allocation, so a freed port is
/// reused as late as possible (a real server may still hold the old tuple in TIME_WAIT).</para>
/// <para>A bitmap is 8 KiB, created the first time its local address is used and kept (a local
/// address removed from the configuration keeps its bitmap until its connections are gone; the
/// few KiB are not worth a per-free check). Thread contract: owned by the table's thread.</para>
/// </remarks>
public sealed class LocalPortAllocator
{
    private readonly Dictionary<ulong, Bitmap> _bitmaps = [];
    private readonly Dictionary<(Ipv6Address Address, IpProtocol Protocol), Bitmap> _bitmaps6 = [];
    private readonly int _base;
    private readonly int _stride;
    private readonly int _count;

    /// <summary>
    /// Creates an allocator handing out the ports <paramref name="first"/> to <paramref name="last"/>
    /// that leave <paramref name="offset"/> modulo <paramref name="stride"/> (with several workers,
    /// worker k of N hands out the ports p with p mod N = k, so a reply's port names its worker).
    /// </summary>
    public LocalPortAllocator(int first = DefaultFirstPort, int last = DefaultLastPort, int stride = 1, int offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, last);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, stride);
        _stride = stride;
        _base = first + ((offset - (first % stride) + stride) % stride);
        _count = _base > last ? 0 : ((last - _base) / stride) + 1;
        ArgumentOutOfRangeException.ThrowIfZero(_count, nameof(last));
    }

    /// <summary>The default first port (ports below are left to well-known services).</summary>
    public const int DefaultFirstPort = 1024;

    /// <summary>The default last port.</summary>
    public const int DefaultLastPort = 65535;

    /// <summary>How many ports one local address offers per protocol.</summary>
    public int PortsPerAddress => _count;

    /// <summary>Ports currently allocated, over all addresses and protocols.</summary>
    public int InUse { get; private set; }

    /// <summary>Allocates a free port on <paramref name="address"/> for <paramref name="protocol"/>.</summary>
    /// <returns>False when every port of that address is in use.</returns>
    public bool TryAllocate(IpProtocol protocol, uint address, out ushort port)
    {
        var key = Key(protocol, address);
        if (!_bitmaps.TryGetValue(key, out var bitmap))
        {
            bitmap = new Bitmap();
            _bitmaps.Add(key, bitmap);
        }

        return TryTake(bitmap, out port);
    }

    private bool TryTake(Bitmap bitmap, out ushort port)
    {
        if (bitmap.Count == _count)
        {
            port = 0;
            return false;
        }

        port = (ushort)(_base + (bitmap.Take(_count - 1) * _stride));
        InUse++;
        return true;
    }

    /// <summary>Allocates a free port on the IPv6 local address <paramref name="address"/> for <paramref name="protocol"/> (IPv6 FULLNAT).</summary>
    /// <returns>False when every port of that address is in use.</returns>
    public bool TryAllocate(IpProtocol protocol, Ipv6Address address, out ushort port)
    {
        if (!_bitmaps6.TryGetValue((address, protocol), out var bitmap))
        {
            bitmap = new Bitmap();
            _bitmaps6.Add((address, protocol), bitmap);
        }

        return TryTake(bitmap, out port);
    }

    /// <summary>True when the IPv6 local address <paramref name="address"/> still has a free port for <paramref name="protocol"/>.</summary>
    public bool HasFreePort(IpProtocol protocol, Ipv6Address address) =>
        !_bitmaps6.TryGetValue((address, protocol), out var bitmap) || bitmap.Count < PortsPerAddress;

    /// <summary>Returns <paramref name="port"/> of the IPv6 local address <paramref name="address"/> to the pool.</summary>
    public void Release(IpProtocol protocol, Ipv6Address address, ushort port)
    {
        if (TryIndex(port, out var index) && _bitmaps6.TryGetValue((address, protocol), out var bitmap) && bitmap.Clear(index))
        {
            InUse--;
        }
    }

    /// <summary>True when <paramref name="port"/> of the IPv6 local address <paramref name="address"/> is allocated.</summary>
    public bool IsInUse(IpProtocol protocol, Ipv6Address address, ushort port) =>
        TryIndex(port, out var index) && _bitmaps6.TryGetValue((address, protocol), out var bitmap) && bitmap.IsSet(index);

    /// <summary>Creates the bitmap of an IPv6 local address ahead of its first connection (keeps that allocation off the packet path).</summary>
    public void Reserve(IpProtocol protocol, Ipv6Address address)
    {
        if (!_bitmaps6.ContainsKey((address, protocol)))
        {
            _bitmaps6.Add((address, protocol), new Bitmap());
        }
    }

    /// <summary>
    /// Takes the given <paramref name="port"/> (a binding the sync received from the master), so that
    /// this director never hands it out while the synced connection holds it.
    /// </summary>
    /// <returns>False when the port is not one this allocator hands out (another worker's, or out of range) or is already taken.</returns>
    public bool TryReserve(IpProtocol protocol, uint address, ushort port)
    {
        if (!TryIndex(port, out var index))
        {
            return false;
        }

        var key = Key(protocol, address);
        if (!_bitmaps.TryGetValue(key, out var bitmap))
        {
            bitmap = new Bitmap();
            _bitmaps.Add(key, bitmap);
        }

        if (!bitmap.TrySet(index))
        {
            return false;
        }

        InUse++;
        return true;
    }

    /// <summary>Takes the given <paramref name="port"/> of the IPv6 local address <paramref name="address"/> (a binding the sync received), as the IPv4 overload does.</summary>
    /// <returns>False when the port is not one this allocator hands out (another worker's, or out of range) or is already taken.</returns>
    public bool TryReserve(IpProtocol protocol, Ipv6Address address, ushort port)
    {
        if (!TryIndex(port, out var index))
        {
            return false;
        }

        if (!_bitmaps6.TryGetValue((address, protocol), out var bitmap))
        {
            bitmap = new Bitmap();
            _bitmaps6.Add((address, protocol), bitmap);
        }

        if (!bitmap.TrySet(index))
        {
            return false;
        }

        InUse++;
        return true;
    }

    /// <summary>True when <paramref name="address"/> still has a free port for <paramref name="protocol"/>.</summary>
    public bool HasFreePort(IpProtocol protocol, uint address) =>
        !_bitmaps.TryGetValue(Key(protocol, address), out var bitmap) || bitmap.Count < PortsPerAddress;

    /// <summary>Creates the bitmap of <paramref name="address"/> ahead of its first connection (keeps that allocation off the packet path).</summary>
    public void Reserve(IpProtocol protocol, uint address)
    {
        var key = Key(protocol, address);
        if (!_bitmaps.ContainsKey(key))
        {
            _bitmaps.Add(key, new Bitmap());
        }
    }

    /// <summary>Returns <paramref name="port"/> of <paramref name="address"/> to the pool.</summary>
    public void Release(IpProtocol protocol, uint address, ushort port)
    {
        if (TryIndex(port, out var index) && _bitmaps.TryGetValue(Key(protocol, address), out var bitmap) && bitmap.Clear(index))
        {
            InUse--;
        }
    }

    /// <summary>True when <paramref name="port"/> of <paramref name="address"/> is allocated.</summary>
    public bool IsInUse(IpProtocol protocol, uint address, ushort port) =>
        TryIndex(port, out var index) && _bitmaps.TryGetValue(Key(protocol, address), out var bitmap) && bitmap.IsSet(index);

    private bool TryIndex(int port, out int index)
    {
        index = (port - _base) / _stride;
        return port >= _base && (port - _base) % _stride == 0 && index < _count;
    }

    private static ulong Key(IpProtocol protocol, uint address) => ((ulong)address << 8) | (byte)protocol;

    /// <summary>Bits over port indices 0..count−1 (index i is port base + i × stride).</summary>
    private sealed class Bitmap
    {
        private readonly ulong[] _words = new ulong[65536 / 64];
        private int _cursor;

        public int Count { get; private set; }

        public bool IsSet(int port) => (_words[port >> 6] & (1UL << (port & 63))) != 0;

        /// <summary>Takes the first free index at or after the cursor, wrapping to 0; a free index must exist.</summary>
        public int Take(int last)
        {
            const int first = 0;
            var port = _cursor;
            while (true)
            {
                if (port > last)
                {
                    port = first;
                }

                // Skip whole used words: the free bits of this word from the port on.
                var word = _words[port >> 6];
                var free = ~word & (ulong.MaxValue << (port & 63));
                if (free != 0)
                {
                    var candidate = (port & ~63) + BitOperations.TrailingZeroCount(free);
                    if (candidate <= last)
                    {
                        _words[candidate >> 6] |= 1UL << (candidate & 63);
                        Count++;
                        _cursor = candidate + 1;
                        return candidate;
                    }

                    port = last + 1;
                    continue;
                }

                port = (port & ~63) + 64;
            }
        }

        public bool TrySet(int port)
        {
            ref var word = ref _words[port >> 6];
            var bit = 1UL << (port & 63);
            if ((word & bit) != 0)
            {
                return false;
            }

            word |= bit;
            Count++;
            return true;
        }

        public bool Clear(int port)
        {
            ref var word = ref _words[port >> 6];
            var bit = 1UL << (port & 63);
            if ((word & bit) == 0)
            {
                return false;
            }

            word &= ~bit;
            Count--;
            return true;
        }
    }
}

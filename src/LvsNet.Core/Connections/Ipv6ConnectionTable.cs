using System.Numerics;
using System.Runtime.CompilerServices;
using LvsNet.Core.Hashing;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>
/// The IPv6 connections of one capture thread: the same layout and rules as
/// <see cref="ConnectionTable"/> (entries in one preallocated array, SipHash bucket chains keyed by
/// protocol, client address and port, a timer wheel of quarter-second ticks, exact active/inactive
/// counts on the servers) over 128-bit addresses. A separate table, as
/// docs/designs/address-representation.md planned, so the IPv4 table keeps its 32-bit keys.
/// </summary>
/// <remarks>
/// Thread contract: owned by one capture thread. A NAT reply is found on the inbound chain (the
/// client's address and port are its destination), as in the IPv4 table. Persistence templates
/// live in the same chains (Ipv6ConnectionTable.Templates.cs); FULLNAT replies are found by their
/// local address and port (Ipv6ConnectionTable.Local.cs).
/// </remarks>
public sealed partial class Ipv6ConnectionTable
{
    private const int WheelSize = ConnectionTable.WheelSize;
    private const int WheelMask = WheelSize - 1;
    private const int None = -1;

    private readonly Ipv6ConnectionEntry[] _entries;
    private readonly int[] _buckets;
    private readonly int _bucketMask;
    private readonly int[] _wheel = new int[WheelSize];
    private readonly SipHashKey _hashKey;
    private int _freeHead = None;
    private int _highWater;
    private uint _wheelTick;

    /// <summary>Creates a table holding at most <paramref name="capacity"/> connections.</summary>
    /// <param name="capacity">The most entries held at once.</param>
    /// <param name="seed">A fixed hash key seed (tests, benchmarks); the process's random key when null.</param>
    /// <param name="startTick">The tick the wheel starts at.</param>
    /// <param name="localPorts">The FULLNAT local-port pool (shared with the IPv4 table of the same thread); a private one when null.</param>
    public Ipv6ConnectionTable(int capacity, uint? seed = null, uint startTick = 0, LocalPortAllocator? localPorts = null)
    {
        LocalPorts = localPorts ?? new LocalPortAllocator();
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _entries = new Ipv6ConnectionEntry[capacity];
        var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
        _buckets = new int[buckets];
        _bucketMask = buckets - 1;
        Array.Fill(_buckets, None);
        Array.Fill(_wheel, None);
        _hashKey = seed is { } fixedSeed ? SipHashKey.FromSeed(fixedSeed) : SipHashKey.Process;
        _wheelTick = startTick;
    }

    /// <summary>The most entries held at once.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Entries in use.</summary>
    public int Count { get; private set; }

    /// <summary>Entries freed by expiry since start.</summary>
    public long ExpiredTotal { get; private set; }

    /// <summary>A read-only reference to the entry at <paramref name="index"/>.</summary>
    public ref readonly Ipv6ConnectionEntry this[int index] => ref _entries[index];

    /// <summary>The entry at <paramref name="index"/>, writable: the sync keeps its synced state and packet counts there.</summary>
    internal ref Ipv6ConnectionEntry Mutable(int index) => ref _entries[index];

    /// <summary>One past the highest index ever used: the full resync walks 0 to this.</summary>
    internal int HighWater => _highWater;

    /// <summary>Finds the connection of an inbound packet.</summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in Ipv6ConnectionKey key)
    {
        var entries = _entries;
        var index = _buckets[(int)Ipv6ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, _hashKey) & _bucketMask];
        while (index != None)
        {
            ref var entry = ref entries[index];
            if (entry.Matches(key))
            {
                return index;
            }

            index = entry.BucketNext;
        }

        return None;
    }

    /// <summary>
    /// Finds the NAT connection of a reply (real server → client): the client's address and port
    /// select the inbound chain, the real server's address and port (or the virtual port of a
    /// server without one) confirm the entry.
    /// </summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindReply(IpProtocol protocol, Ipv6Address clientAddress, ushort clientPort, Ipv6Address serverAddress, ushort serverPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var entries = _entries;
        var index = _buckets[(int)Ipv6ConnectionKey.Hash(protocol, clientAddress, clientPort, _hashKey) & _bucketMask];
        while (index != None)
        {
            ref var entry = ref entries[index];
            if (entry.ClientPort == clientPort
                && entry.ClientAddress == clientAddress
                && entry.Protocol == protocol
                && (entry.Flags & ConnectionFlags.Template) == 0
                && (uint)entry.RealServerId < (uint)serversById.Length
                && serversById[entry.RealServerId] is { IsIpv6: true } server
                && server.Address6 == serverAddress
                && (server.Port == serverPort || (server.Port == 0 && entry.VirtualPort == serverPort)))
            {
                return index;
            }

            index = entry.BucketNext;
        }

        return None;
    }

    /// <summary>Adds a connection bound to a real server, in state NONE with the 3 s initial timeout.</summary>
    /// <returns>The new entry's index, or -1 when the table is full.</returns>
    public int Insert(in Ipv6ConnectionKey key, int realServerId, ConnectionFlags flags, uint now)
    {
        int index;
        if (_freeHead != None)
        {
            index = _freeHead;
            _freeHead = _entries[index].BucketNext;
        }
        else if (_highWater < _entries.Length)
        {
            index = _highWater++;
        }
        else
        {
            return None;
        }

        ref var entry = ref _entries[index];
        entry = default;
        entry.Protocol = key.Protocol;
        entry.ClientAddress = key.ClientAddress;
        entry.ClientPort = key.ClientPort;
        entry.VirtualAddress = key.VirtualAddress;
        entry.VirtualPort = key.VirtualPort;
        entry.RealServerId = realServerId;
        entry.Flags = flags | ConnectionFlags.InUse;
        entry.State = ConnectionState.None;
        entry.ExpiresAt = now + ConnectionTimeouts.InitialTicks;
        entry.SyncEnd = ConnectionTable.SyncEndAt(now);

        ref var bucket = ref _buckets[(int)Ipv6ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, _hashKey) & _bucketMask];
        entry.BucketNext = bucket;
        bucket = index;
        WheelAdd(index);
        Count++;
        return index;
    }

    /// <summary>
    /// Moves the connection to <paramref name="state"/> keeping its server's active/inactive counts
    /// exact, and re-arms its timer (both directions; a reply is not counted as a client packet).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Transition(int index, ConnectionState state, uint timeoutTicks, uint now, RealServerState? server)
    {
        ref var entry = ref _entries[index];
        if (entry.State != state)
        {
            var wasActive = (entry.Flags & ConnectionFlags.Active) != 0;
            var isActive = ConnectionStates.IsActive(state);
            if (wasActive != isActive)
            {
                entry.Flags ^= ConnectionFlags.Active;
                server?.OnActivityChanged(isActive);
            }

            entry.State = state;
            if (state == ConnectionState.Established && entry.ControlPlusOne != 0)
            {
                _entries[entry.ControlPlusOne - 1].Flags |= ConnectionFlags.Assured;
            }
        }

        var expires = now + timeoutTicks;
        var earlier = (int)(expires - entry.ExpiresAt) < 0;
        entry.ExpiresAt = expires;
        if (earlier)
        {
            // A shorter timeout than the slot the entry waits in: move it, or it outlives its timeout.
            WheelRemove(index);
            WheelAdd(index);
        }
    }

    /// <summary>A packet from the client: <see cref="Transition"/>, and the packet is counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnClientPacket(int index, ConnectionState state, uint timeoutTicks, uint now, RealServerState? server)
    {
        Transition(index, state, timeoutTicks, now, server);
        _entries[index].InPackets++;
    }

    /// <summary>The first reply of a NAT connection: its client packets now use the TCP input table that knows replies pass here.</summary>
    public void OnReplySeen(int index) => _entries[index].Flags &= ~ConnectionFlags.NoOutput;

    /// <summary>Frees a connection now (a new SYN on a closing tuple, a removed server), unbinding it from its server.</summary>
    public void Remove(int index, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        WheelRemove(index);
        Free(index, serversById);
    }

    /// <summary>Runs the timer wheel up to <paramref name="now"/>, freeing due entries (as <see cref="ConnectionTable.Advance"/>).</summary>
    /// <returns>The number of entries freed.</returns>
    public int Advance(uint now, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var freed = 0;
        if ((int)(now - _wheelTick) > WheelSize)
        {
            _wheelTick = now - WheelSize;
        }

        while ((int)(now - _wheelTick) > 0)
        {
            _wheelTick++;
            var slot = (int)(_wheelTick & WheelMask);
            var index = _wheel[slot];
            _wheel[slot] = None;
            while (index != None)
            {
                ref var entry = ref _entries[index];
                var next = entry.WheelNext;
                if ((int)(entry.ExpiresAt - _wheelTick) <= 0 && entry.Controlled > 0)
                {
                    // A template lives while it controls connections, re-armed in 60 s steps (IPVS).
                    entry.TemplateTimeoutTicks = ConnectionTable.TemplateRearmTicks;
                    entry.ExpiresAt = _wheelTick + ConnectionTable.TemplateRearmTicks;
                    WheelAdd(index);
                }
                else if ((int)(entry.ExpiresAt - _wheelTick) <= 0)
                {
                    Free(index, serversById);
                    freed++;
                }
                else
                {
                    WheelAdd(index);
                }

                index = next;
            }
        }

        ExpiredTotal += freed;
        return freed;
    }

    /// <summary>Calls <paramref name="visit"/> for up to <paramref name="max"/> entries in use (for listings, on the owning thread).</summary>
    public void ForEach(Action<int> visit, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(visit);
        var seen = 0;
        for (var i = 0; i < _highWater && seen < max; i++)
        {
            if (_entries[i].InUse)
            {
                visit(i);
                seen++;
            }
        }
    }

    private void Free(int index, RealServerState?[] serversById)
    {
        ref var entry = ref _entries[index];
        ref var link = ref _buckets[(int)Ipv6ConnectionKey.Hash(entry.Protocol, entry.ClientAddress, entry.ClientPort, _hashKey) & _bucketMask];
        while (link != None)
        {
            if (link == index)
            {
                link = entry.BucketNext;
                break;
            }

            link = ref _entries[link].BucketNext;
        }

        if (entry.LocalPort != 0)
        {
            UnbindLocal(ref entry, index);
        }

        var id = entry.RealServerId;
        var server = (uint)id < (uint)serversById.Length ? serversById[id] : null;
        if ((entry.Flags & ConnectionFlags.Template) != 0)
        {
            server?.OnTemplateUnbound();
        }
        else
        {
            server?.OnConnectionFreed((entry.Flags & ConnectionFlags.Active) != 0);
            if (entry.ControlPlusOne != 0)
            {
                _entries[entry.ControlPlusOne - 1].Controlled--;
            }
        }

        entry.Flags = ConnectionFlags.None;
        entry.BucketNext = _freeHead;
        _freeHead = index;
        Count--;
    }

    private void WheelAdd(int index)
    {
        ref var entry = ref _entries[index];

        // An entry already due goes into the next slot the wheel will visit.
        var tick = (int)(entry.ExpiresAt - _wheelTick) > 0 ? entry.ExpiresAt : _wheelTick + 1;
        var slot = (int)(tick & WheelMask);
        ref var head = ref _wheel[slot];
        entry.WheelSlot = (ushort)slot;
        entry.WheelPrev = None;
        entry.WheelNext = head;
        if (head != None)
        {
            _entries[head].WheelPrev = index;
        }

        head = index;
    }

    private void WheelRemove(int index)
    {
        ref var entry = ref _entries[index];
        if (entry.WheelPrev != None)
        {
            _entries[entry.WheelPrev].WheelNext = entry.WheelNext;
        }
        else
        {
            _wheel[entry.WheelSlot] = entry.WheelNext;
        }

        if (entry.WheelNext != None)
        {
            _entries[entry.WheelNext].WheelPrev = entry.WheelPrev;
        }
    }
}

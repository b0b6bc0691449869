using System.Numerics;
using System.Runtime.CompilerServices;
using LvsNet.Core.Hashing;
using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>
/// The connection table of one capture thread: entries by value in one preallocated array,
/// chained hash buckets of entry indices, and a timer wheel for expiry.
/// </summary>
/// <remarks>
/// <para>Thread contract: owned by one capture thread; nothing here locks. Other threads ask
/// the owner for listings.</para>
/// <para>Collisions: buckets are chains, so a new flow never displaces a live one; when all
/// <see cref="Capacity"/> slots are used, <see cref="Insert"/> fails and the caller drops the new
/// flow while existing flows keep their entries.</para>
/// <para>Expiry: every packet re-arms <see cref="ConnectionEntry.ExpiresAt"/> without moving the
/// entry; the wheel visits each slot once per tick and either frees a due entry or moves it to the
/// slot of its new expiry. A busy connection is therefore touched by the wheel about once per
/// timeout, never per packet, and no sweep ever walks the whole table.</para>
/// </remarks>
public sealed partial class ConnectionTable
{
    /// <summary>Wheel slots: 4096 quarter-second ticks, a horizon of 1024 s.</summary>
    public const int WheelSize = 4096;

    /// <summary>The most NAT/FULLNAT handshakes timed at once (see <see cref="MarkHandshakeStart"/>).</summary>
    public const int HandshakeSlots = 1 << 16;

    private const int WheelMask = WheelSize - 1;
    private const int None = -1;

    private readonly ConnectionEntry[] _entries;
    private readonly int[] _buckets;
    private readonly int _bucketMask;
    private readonly int[] _wheel = new int[WheelSize];

    // NAT/FULLNAT handshake timing: when a connection's SYN was seen (µs | 1), in a small
    // direct-mapped array by entry index rather than 4 bytes in every entry. It is a statistic:
    // with more handshakes in flight than slots, a later one takes the slot and the earlier
    // connection goes untimed.
    private readonly HandshakeMark[] _handshakes;
    private readonly int _handshakeMask;
    private readonly SipHashKey _hashKey;
    private int _freeHead = None;
    private int _highWater;
    private uint _wheelTick;

    /// <summary>Creates a table holding at most <paramref name="capacity"/> connections.</summary>
    /// <param name="capacity">The most entries held at once.</param>
    /// <param name="seed">A fixed hash key seed (tests, benchmarks); the process's random key (<see cref="SipHashKey.Process"/>) when null.</param>
    /// <param name="startTick">The tick the wheel starts at.</param>
    /// <param name="localPorts">The FULLNAT local ports; 1024–65535 of each local address when null.</param>
    /// <param name="hugePages">Whether to advise transparent huge pages for the arrays (<see cref="HugePageBytes"/>).</param>
    public ConnectionTable(int capacity, uint? seed = null, uint startTick = 0, LocalPortAllocator? localPorts = null, bool hugePages = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        // On the pinned object heap rather than the large object heap: the GC sizes the large
        // object heap's allocation budget by what survives there, so a 600 MB table on it let
        // gigabytes of large garbage pile up between gen2 collections (docs/benchmarks.md).
        _entries = GC.AllocateArray<ConnectionEntry>(capacity, pinned: true);
        var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
        _buckets = GC.AllocateArray<int>(buckets, pinned: true);
        _bucketMask = buckets - 1;
        // Huge pages before the first write (the fill below, Commit, or the first flows): a random
        // lookup in a table of hundreds of megabytes otherwise pays a TLB miss and a page walk on
        // both the bucket and the entry (docs/connection-table.md).
        if (hugePages)
        {
            HugePageBytes = Math.Max(0, PacketIo.HugePages.AdvisePinned(_entries)) + Math.Max(0, PacketIo.HugePages.AdvisePinned(_buckets));
        }
        Array.Fill(_buckets, None);
        _handshakes = new HandshakeMark[Math.Min(HandshakeSlots, buckets)];
        _handshakeMask = _handshakes.Length - 1;
        LocalPorts = localPorts ?? new LocalPortAllocator();
        Array.Fill(_wheel, None);
        _hashKey = seed is { } fixedSeed ? SipHashKey.FromSeed(fixedSeed) : SipHashKey.Process;
        _wheelTick = startTick;
    }

    /// <summary>The most entries held at once.</summary>
    public int Capacity => _entries.Length;

    /// <summary>The bytes of the entry and bucket arrays advised for transparent huge pages (their 2 MiB-aligned parts; 0 for a small table).</summary>
    public long HugePageBytes { get; }

    /// <summary>The bytes of the entry and bucket arrays.</summary>
    public long ArrayBytes => ((long)_entries.Length * Unsafe.SizeOf<ConnectionEntry>()) + (4L * _buckets.Length);

    /// <summary>
    /// Writes every page of the entry array once, so the table's fixed memory is resident from
    /// start. The runtime hands out a large array as zero pages the kernel maps only when first
    /// written; without this the resident size grows with the table's high-water mark (by about
    /// 56 bytes an entry), and the first flood that fills the table pays a page fault every
    /// 73 entries on the capture thread.
    /// </summary>
    public void Commit() => Array.Clear(_entries);

    /// <summary>The FULLNAT local ports held by this table's connections.</summary>
    public LocalPortAllocator LocalPorts { get; }

    /// <summary>The number of hash buckets.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Entries in use.</summary>
    public int Count { get; private set; }

    /// <summary>Entries freed by expiry since start.</summary>
    public long ExpiredTotal { get; private set; }

    /// <summary>The tick up to which the wheel has run.</summary>
    public uint WheelTick => _wheelTick;

    /// <summary>A read-only reference to the entry at <paramref name="index"/>; every change goes through the table's methods, which keep its invariants.</summary>
    public ref readonly ConnectionEntry this[int index] => ref _entries[index];

    /// <summary>Finds the connection of an inbound packet.</summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in ConnectionKey key)
    {
        var entries = _entries;
        var index = _buckets[(int)ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, _hashKey) & _bucketMask];
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
    /// Finds the connection of a NAT reply (real server → client): same chain as the inbound key
    /// (hashed by the client's address and port), matched on the real server's address and port.
    /// </summary>
    /// <returns>The entry's index, or -1.</returns>
    public int FindReply(IpProtocol protocol, uint clientAddress, ushort clientPort, uint serverAddress, ushort serverPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var index = _buckets[(int)ConnectionKey.Hash(protocol, clientAddress, clientPort, _hashKey) & _bucketMask];
        while (index != None)
        {
            ref var entry = ref _entries[index];
            if (entry.ClientAddress == clientAddress
                && entry.ClientPort == clientPort
                && entry.Protocol == protocol
                && (entry.Flags & ConnectionFlags.Template) == 0
                && (uint)entry.RealServerId < (uint)serversById.Length
                && serversById[entry.RealServerId] is { } server
                && server.Address == serverAddress
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
    public int Insert(in ConnectionKey key, int realServerId, ConnectionFlags flags, uint now)
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
        ClearHandshakeMark(index);
        entry.Protocol = key.Protocol;
        entry.ClientAddress = key.ClientAddress;
        entry.ClientPort = key.ClientPort;
        entry.VirtualAddress = key.VirtualAddress;
        entry.VirtualPort = key.VirtualPort;
        entry.RealServerId = realServerId;
        entry.Flags = flags | ConnectionFlags.InUse;
        if ((flags & ConnectionFlags.Template) == 0)
        {
            entry.Control = None;
        }

        entry.State = ConnectionState.None;
        entry.TimeoutTicks = ConnectionTimeouts.InitialTicks;
        entry.ExpiresAt = now + entry.TimeoutTicks;
        entry.SyncEnd = SyncEndAt(now);

        ref var bucket = ref _buckets[(int)ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, _hashKey) & _bucketMask];
        entry.BucketNext = bucket;
        bucket = index;
        WheelAdd(index);
        Count++;
        return index;
    }

    /// <summary>
    /// Moves a connection to <paramref name="state"/>, keeping its server's active/inactive counts
    /// exact, and re-arms its timer to <paramref name="now"/> plus the state's timeout.
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
        }

        entry.TimeoutTicks = timeoutTicks;
        var expires = now + timeoutTicks;
        var earlier = (int)(expires - entry.ExpiresAt) < 0;
        entry.ExpiresAt = expires;
        if (earlier)
        {
            // The entry waits in the slot of a later expiry; a shorter timeout (ESTABLISHED to
            // CLOSE, say) must move it, or it would outlive its timeout.
            WheelRemove(index);
            WheelAdd(index);
        }
    }

    /// <summary>
    /// A packet from the client: moves the connection to <paramref name="state"/> (see
    /// <see cref="Transition"/>), counts the packet, and once the connection is established marks
    /// the persistence template controlling it as assured.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnClientPacket(int index, ConnectionState state, uint timeoutTicks, uint now, RealServerState? server)
    {
        Transition(index, state, timeoutTicks, now, server);
        ref var entry = ref _entries[index];
        entry.InPackets++;
        if (state == ConnectionState.Established && entry.Control >= 0)
        {
            _entries[entry.Control].Flags |= ConnectionFlags.Assured;
        }
    }

    /// <summary>A TCP reply seen: the connection uses the two-way state tables from now on (IPVS clears NOOUTPUT).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnReplySeen(int index) => _entries[index].Flags &= ~ConnectionFlags.NoOutput;

    /// <summary>Sets and clears flags of a connection (the SYN proxy's marks).</summary>
    public void SetFlags(int index, ConnectionFlags set, ConnectionFlags clear) =>
        _entries[index].Flags = (_entries[index].Flags & ~clear) | set;

    /// <summary>FULLNAT with TOA: claims the one packet of the connection that carries the client's address.</summary>
    /// <returns>True the first time only.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClaimToa(int index)
    {
        ref var entry = ref _entries[index];
        if ((entry.Flags & ConnectionFlags.ToaDone) != 0)
        {
            return false;
        }

        entry.Flags |= ConnectionFlags.ToaDone;
        return true;
    }

    /// <summary>Frees a connection now (for example when a new SYN reuses a closed tuple), unbinding it from its server.</summary>
    public void Remove(int index, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        WheelRemove(index);
        Free(index, serversById);
    }

    /// <summary>
    /// Runs the timer wheel up to <paramref name="now"/>, freeing due entries. After a pause longer
    /// than one revolution, one revolution ending at <paramref name="now"/> is enough: each slot is
    /// then visited at the one tick of that revolution it stands for, which is at or after the
    /// expiry of every due entry in it.
    /// </summary>
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
                if ((int)(entry.ExpiresAt - _wheelTick) <= 0)
                {
                    if (entry.Controlled > 0)
                    {
                        // A template lives while it controls connections, re-armed in 60 s steps (IPVS).
                        entry.TimeoutTicks = TemplateRearmTicks;
                        entry.ExpiresAt = _wheelTick + TemplateRearmTicks;
                        WheelAdd(index);
                    }
                    else
                    {
                        Free(index, serversById);
                        freed++;
                    }
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

    /// <summary>Calls <paramref name="visit"/> for up to <paramref name="max"/> entries in use (allocation-free; for listings, on the owning thread).</summary>
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
        Unlink(ref _buckets[(int)ConnectionKey.Hash(entry.Protocol, entry.ClientAddress, entry.ClientPort, _hashKey) & _bucketMask], index);

        if (entry.LocalAddressId != 0)
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
            if (entry.Control != None)
            {
                _entries[entry.Control].Controlled--;
            }
        }

        entry.Flags = ConnectionFlags.None;
        entry.BucketNext = _freeHead;
        _freeHead = index;
        Count--;
    }

    /// <summary>Removes <paramref name="index"/> from the bucket chain starting at <paramref name="link"/>.</summary>
    private void Unlink(ref int link, int index)
    {
        while (link != None)
        {
            ref var next = ref _entries[link].BucketNext;
            if (link == index)
            {
                link = next;
                return;
            }

            link = ref next;
        }
    }

    private void WheelAdd(int index)
    {
        ref var entry = ref _entries[index];

        // An entry already due goes into the next slot the wheel will visit.
        var tick = (int)(entry.ExpiresAt - _wheelTick) > 0 ? entry.ExpiresAt : _wheelTick + 1;
        var slot = (int)(tick & WheelMask);
        ref var head = ref _wheel[slot];

        // The first entry of a slot keeps the slot, complemented, in its previous-link (WheelRemove needs it).
        entry.WheelPrev = ~slot;
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
        if (entry.WheelPrev >= 0)
        {
            _entries[entry.WheelPrev].WheelNext = entry.WheelNext;
        }
        else
        {
            _wheel[~entry.WheelPrev] = entry.WheelNext;
        }

        // The next entry inherits the previous-link as is: an entry or, when it becomes the slot's first, the slot.
        if (entry.WheelNext != None)
        {
            _entries[entry.WheelNext].WheelPrev = entry.WheelPrev;
        }
    }
}

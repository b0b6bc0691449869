using LvsNet.Core.Hashing;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// The destination-address cache of lblc and lblcr (struct ip_vs_lblc_table / ip_vs_lblcr_table):
/// 1024 chained buckets indexed by a keyed hash of the destination (the kernel: <c>hash_32(daddr, 10)</c>), each entry holding its last-use time
/// and either one server (lblc) or a server set with its last-modification time (lblcr).
/// </summary>
/// <remarks>
/// <para>Entries and set members live in preallocated struct arrays linked by index, so lookups,
/// rebinding and removal never allocate; the arrays double when full (the documented cache-insert
/// allocation) up to a hard capacity the kernel does not have. At the capacity an insert first
/// collects entries idle for 6 minutes, and if that frees nothing the caller schedules without
/// caching, which is what the kernel does when <c>kmalloc(GFP_ATOMIC)</c> fails.</para>
/// <para>Garbage collection follows ip_vs_lblc_check_expire(): every 60 s, if the table holds more
/// than 16384 entries, remove entries idle for 6 minutes until <c>(entries − 16384)·4/3</c> (at
/// most 8192) are gone, scanning buckets from a rover; every 30th run instead removes every entry
/// idle for the expiration (sysctl lblc_expiration / lblcr_expiration, 24 h). The kernel runs this
/// from a timer; here <see cref="Maintain"/> runs it lazily from the scheduling call, replaying
/// each missed 60 s run at its own time. That is exact, because entries only change when
/// scheduling touches them.</para>
/// <para>Entries refer to servers by reference, like the kernel's dest pointers: an entry whose
/// server left the service (<see cref="RealServerState.IsAvailable"/> false) stays until it is
/// rebound or collected, and becomes valid again if the same server returns. The cache is handed
/// from one scheduler instance to its successor and is used by the capture thread only.</para>
/// </remarks>
internal sealed class LocalityCache
{
    /// <summary>CONFIG_IP_VS_LBLC_TAB_BITS / CONFIG_IP_VS_LBLCR_TAB_BITS.</summary>
    public const int TableBits = 10;

    /// <summary>The number of buckets.</summary>
    public const int TableSize = 1 << TableBits;

    /// <summary>tbl->max_size: above this many entries the periodic collection removes idle ones.</summary>
    public const int SoftMaxSize = TableSize * 16;

    /// <summary>The default hard bound on entries (four times the kernel's soft size).</summary>
    public const int DefaultCapacity = SoftMaxSize * 4;

    private const int TableMask = TableSize - 1;

    // COUNT_FOR_FULL_EXPIRATION: every 30th periodic run is a full expiration check.
    private const int FullExpirationCount = 30;
    private const int InitialSlots = 256;

    private readonly int[] _buckets = new int[TableSize];
    private readonly long _checkInterval;
    private readonly long _entryTimeout;
    private readonly int _capacity;
    private readonly int _memberCapacity;
    private Entry[] _entries = new Entry[InitialSlots];
    private Member[] _members = [];
    private int _usedEntries;
    private int _freeEntry = -1;
    private int _usedMembers;
    private int _freeMember = -1;
    private long _expiration;
    private long _nextCheck;
    private int _rover;
    private int _counter = 1;

    /// <summary>Creates an empty cache whose first collection runs 60 s after <paramref name="now"/>.</summary>
    /// <param name="expiration">lblc_expiration / lblcr_expiration.</param>
    /// <param name="capacity">The hard bound on entries.</param>
    /// <param name="now">The current timestamp of <paramref name="timestampFrequency"/> units.</param>
    /// <param name="timestampFrequency">Timestamp units per second (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public LocalityCache(TimeSpan expiration, int capacity, long now, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Frequency = timestampFrequency;
        _checkInterval = ToTicks(CheckInterval);
        _entryTimeout = ToTicks(EntryTimeout);
        _expiration = ToTicks(expiration);
        _capacity = capacity;
        _memberCapacity = capacity * 2;
        _nextCheck = now + _checkInterval;
        Array.Fill(_buckets, -1);
    }

    /// <summary>The sysctl default of lblc_expiration and lblcr_expiration.</summary>
    public static TimeSpan DefaultExpiration { get; } = TimeSpan.FromHours(24);

    /// <summary>CHECK_EXPIRE_INTERVAL: the period of the collection.</summary>
    public static TimeSpan CheckInterval { get; } = TimeSpan.FromSeconds(60);

    /// <summary>ENTRY_TIMEOUT: idle time after which an entry may be collected when the table is over its soft size.</summary>
    public static TimeSpan EntryTimeout { get; } = TimeSpan.FromMinutes(6);

    /// <summary>Timestamp units per second.</summary>
    public long Frequency { get; }

    /// <summary>The expiration in timestamp units.</summary>
    public long Expiration => Volatile.Read(ref _expiration);

    /// <summary>Live entries.</summary>
    public int Count { get; private set; }

    /// <summary>Inserts refused because the cache was at its hard capacity (the connection was scheduled uncached).</summary>
    public long InsertFailures { get; private set; }

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public ref Entry this[int index] => ref _entries[index];

    /// <summary>The set member at <paramref name="index"/>.</summary>
    public ref Member MemberAt(int index) => ref _members[index];

    /// <summary>Changes the expiration (a reload with a new lblc_expiration keeps the cache).</summary>
    public void SetExpiration(TimeSpan expiration) => Volatile.Write(ref _expiration, ToTicks(expiration));

    /// <summary>
    /// The bucket of an address: SipHash-1-3 under the process key, where the kernel uses
    /// <c>hash_32(daddr, 10)</c>. The destination is chosen by whoever sends the packet and
    /// <c>hash_32</c> is a public multiplication, so 1024 chosen addresses could share one chain;
    /// the bucket decides only which chain an entry sits in (and the order the collection visits
    /// entries), never which server a destination gets, so the schedulers' choices are unchanged.
    /// </summary>
    public static int BucketOf(uint address) => (int)(SipHash.Hash13(address, SipHashKey.Process) & TableMask);

    /// <summary>The index of the entry for <paramref name="address"/>, or -1.</summary>
    public int Find(uint address)
    {
        var entries = _entries;
        for (var i = _buckets[BucketOf(address)]; i >= 0; i = entries[i].Next)
        {
            if (entries[i].Address == address)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Adds an entry for <paramref name="address"/> (not present) with last use <paramref name="now"/>
    /// and no server, at the head of its bucket as hlist_add_head_rcu() does. Returns its index, or
    /// -1 when the cache is at capacity and nothing idle could be collected.
    /// </summary>
    public int Add(uint address, long now)
    {
        if (Count >= _capacity)
        {
            Collect(now, Math.Max(1, _capacity / 4), _entryTimeout);
            if (Count >= _capacity)
            {
                InsertFailures++;
                return -1;
            }
        }

        int index;
        if (_freeEntry >= 0)
        {
            index = _freeEntry;
            _freeEntry = _entries[index].Next;
        }
        else
        {
            if (_usedEntries == _entries.Length)
            {
                Array.Resize(ref _entries, Math.Min(_entries.Length * 2, Math.Max(_capacity, InitialSlots)));
            }

            index = _usedEntries++;
        }

        var bucket = BucketOf(address);
        _entries[index] = new Entry
        {
            Address = address,
            Next = _buckets[bucket],
            LastUse = now,
            SetHead = -1,
        };
        _buckets[bucket] = index;
        Count++;
        return index;
    }

    /// <summary>
    /// Adds <paramref name="server"/> at the head of an entry's set (list_add_rcu() in
    /// ip_vs_dest_set_insert()), first checking it is not a member when <paramref name="check"/>,
    /// and stamps the set modified. Returns false when it was a member or no member slot was left.
    /// </summary>
    public bool AddMember(int entry, RealServerState server, bool check, long now)
    {
        ref var e = ref _entries[entry];
        if (check)
        {
            for (var m = e.SetHead; m >= 0; m = _members[m].Next)
            {
                if (ReferenceEquals(_members[m].Server, server))
                {
                    return false;
                }
            }
        }

        int index;
        if (_freeMember >= 0)
        {
            index = _freeMember;
            _freeMember = _members[index].Next;
        }
        else
        {
            if (_usedMembers == _members.Length)
            {
                if (_members.Length >= _memberCapacity)
                {
                    // kmalloc() failed in the kernel: the set simply does not grow.
                    InsertFailures++;
                    return false;
                }

                Array.Resize(ref _members, Math.Min(Math.Max(_members.Length * 2, InitialSlots), _memberCapacity));
            }

            index = _usedMembers++;
        }

        _members[index] = new Member { Server = server, Next = e.SetHead };
        e.SetHead = index;
        e.SetSize++;
        e.LastModified = now;
        return true;
    }

    /// <summary>Removes <paramref name="server"/> from an entry's set (ip_vs_dest_set_erase()), stamping it modified.</summary>
    public void RemoveMember(int entry, RealServerState server, long now)
    {
        ref var e = ref _entries[entry];
        var previous = -1;
        for (var m = e.SetHead; m >= 0; previous = m, m = _members[m].Next)
        {
            if (!ReferenceEquals(_members[m].Server, server))
            {
                continue;
            }

            if (previous < 0)
            {
                e.SetHead = _members[m].Next;
            }
            else
            {
                _members[previous].Next = _members[m].Next;
            }

            FreeMember(m);
            e.SetSize--;
            e.LastModified = now;
            return;
        }
    }

    /// <summary>
    /// Runs every periodic collection due by <paramref name="now"/> (ip_vs_lblc_check_expire()),
    /// each at its own scheduled time. Cheap when nothing is due: one comparison.
    /// </summary>
    public void Maintain(long now)
    {
        while (now >= _nextCheck)
        {
            var runAt = _nextCheck;
            if (_counter % FullExpirationCount == 0)
            {
                Collect(runAt, int.MaxValue, Expiration);
                _counter = 1;
                _nextCheck += _checkInterval;
                continue;
            }

            if (Count <= SoftMaxSize)
            {
                // Nothing to collect: these runs only count towards the next full check, so skip
                // ahead to it (or to now) at once.
                var due = ((now - runAt) / _checkInterval) + 1;
                var skip = Math.Min(due, FullExpirationCount - (_counter % FullExpirationCount));
                _counter += (int)skip;
                _nextCheck += skip * _checkInterval;
                continue;
            }

            var goal = (Count - SoftMaxSize) * 4 / 3;
            Collect(runAt, Math.Min(goal, SoftMaxSize / 2), _entryTimeout);
            _nextCheck += _checkInterval;
        }
    }

    /// <summary>The first runtime at which <see cref="Maintain"/> has work.</summary>
    public long NextCheck => _nextCheck;

    // The bucket walk of ip_vs_lblc_check_expire() / ip_vs_lblc_full_check(): from the bucket after
    // the rover, remove entries unused for at least 'idle', stopping after the bucket in which the
    // goal was reached.
    private void Collect(long now, int goal, long idle)
    {
        var j = _rover;
        for (var i = 0; i < TableSize; i++)
        {
            j = (j + 1) & TableMask;
            var previous = -1;
            var index = _buckets[j];
            while (index >= 0)
            {
                ref var e = ref _entries[index];
                var next = e.Next;
                if (now - e.LastUse < idle)
                {
                    previous = index;
                }
                else
                {
                    if (previous < 0)
                    {
                        _buckets[j] = next;
                    }
                    else
                    {
                        _entries[previous].Next = next;
                    }

                    FreeEntry(index);
                    goal--;
                }

                index = next;
            }

            if (goal <= 0)
            {
                break;
            }
        }

        _rover = j;
    }

    private void FreeEntry(int index)
    {
        ref var e = ref _entries[index];
        for (var m = e.SetHead; m >= 0;)
        {
            var next = _members[m].Next;
            FreeMember(m);
            m = next;
        }

        e = new Entry { Next = _freeEntry, SetHead = -1 };
        _freeEntry = index;
        Count--;
    }

    private void FreeMember(int index)
    {
        _members[index] = new Member { Next = _freeMember };
        _freeMember = index;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Frequency);

    /// <summary>One cache entry (struct ip_vs_lblc_entry / ip_vs_lblcr_entry).</summary>
    internal struct Entry
    {
        /// <summary>The destination address (host order).</summary>
        public uint Address;

        /// <summary>The next entry in the bucket, or the next free slot; -1 ends the chain.</summary>
        public int Next;

        /// <summary>When the entry was last used.</summary>
        public long LastUse;

        /// <summary>lblc: the cached server.</summary>
        public RealServerState? Server;

        /// <summary>lblcr: the first member of the server set, or -1.</summary>
        public int SetHead;

        /// <summary>lblcr: the number of members.</summary>
        public int SetSize;

        /// <summary>lblcr: when the set last changed.</summary>
        public long LastModified;
    }

    /// <summary>One member of an lblcr server set (struct ip_vs_dest_set_elem).</summary>
    internal struct Member
    {
        /// <summary>The server.</summary>
        public RealServerState? Server;

        /// <summary>The next member, or the next free slot; -1 ends the list.</summary>
        public int Next;
    }
}

namespace LvsNet.Core.Connections;

/// <summary>
/// The process's FULLNAT local addresses, each under a 2-byte id, so that a connection entry holds
/// the id instead of the address (entries stay 56 bytes). Ids are never reused or removed: a
/// director has a handful of local addresses, and an address dropped from the configuration
/// keeps its id for a later reload.
/// </summary>
/// <remarks>
/// Thread contract: <see cref="AddressOf"/> is lock-free and safe on any thread; <see cref="TryGetId"/>
/// takes a lock and is called once per address and table (tables cache the ids they use).
/// </remarks>
public static class LocalAddressBook
{
    /// <summary>The most addresses the book holds (id 0 means "none").</summary>
    public const int MaxAddresses = ushort.MaxValue;

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<uint, ushort> s_ids = [];

    // Index = id; element 0 is "no address". Replaced (never written after publication) when it grows.
    private static uint[] s_addresses = new uint[16];

    /// <summary>The address of <paramref name="id"/>, or 0 for id 0.</summary>
    public static uint AddressOf(ushort id)
    {
        var addresses = Volatile.Read(ref s_addresses);
        return id < addresses.Length ? addresses[id] : 0;
    }

    /// <summary>The id of <paramref name="address"/> (a non-zero address), adding it the first time.</summary>
    /// <returns>False when the book is full (<see cref="MaxAddresses"/> distinct addresses since start).</returns>
    public static bool TryGetId(uint address, out ushort id)
    {
        ArgumentOutOfRangeException.ThrowIfZero(address);
        lock (s_lock)
        {
            if (s_ids.TryGetValue(address, out id))
            {
                return true;
            }

            var next = s_ids.Count + 1;
            if (next > MaxAddresses)
            {
                id = 0;
                return false;
            }

            var addresses = s_addresses;
            if (next >= addresses.Length)
            {
                var grown = new uint[Math.Min(MaxAddresses + 1, addresses.Length * 2)];
                addresses.CopyTo(grown, 0);
                grown[next] = address;
                Volatile.Write(ref s_addresses, grown);
            }
            else
            {
                // Readers never ask for an id before TryGetId returned it, so writing in place is safe.
                Volatile.Write(ref addresses[next], address);
            }

            id = (ushort)next;
            s_ids.Add(address, id);
            return true;
        }
    }
}

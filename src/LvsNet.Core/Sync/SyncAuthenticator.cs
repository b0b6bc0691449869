using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LvsNet.Core.Sync;

/// <summary>
/// The authenticated sync mode (LvsNet's, not IPVS's): every message is followed by a 44-byte
/// trailer: the magic "LVA1", a 64-bit sequence and an HMAC-SHA256 over everything before the MAC.
/// The sequence is the sender's clock in microseconds since the Unix epoch, forced to grow by at
/// least one per message, so it orders a sender's messages across its restarts and tells the
/// receiver how old a message is. The receiver (<see cref="Verify"/>) checks the MAC in constant
/// time, refuses a sequence more than <see cref="MaxSkew"/> away from its own clock (a replay after
/// a restart of either side), and keeps per sender the highest sequence and a 64-message window
/// behind it (a replay or a duplicate within the skew).
/// </summary>
/// <remarks>
/// The IPVS message before the trailer is unchanged, but its header's size no longer equals the
/// datagram's length, so a kernel backup drops these messages: both directors must run LvsNet with
/// the same key. Thread contract: <see cref="Sign"/> on the master sync thread, <see cref="Verify"/>
/// on the backup sync thread; one instance may serve both (they share nothing but the key).
/// </remarks>
public sealed class SyncAuthenticator
{
    /// <summary>The trailer's length: magic (4), sequence (8), HMAC-SHA256 (32).</summary>
    public const int TrailerLength = 4 + 8 + 32;

    /// <summary>The shortest key accepted (128 bits).</summary>
    public const int MinKeyLength = Configuration.SyncDaemonConfig.MinAuthKeyLength;

    /// <summary>How far a sequence may be from the receiver's clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(30);

    private const uint Magic = 0x4C564131; // "LVA1"
    private const int Window = 64;
    private readonly byte[] _key;
    private readonly Dictionary<uint, (ulong Highest, ulong Seen)> _senders = [];
    private ulong _lastSequence;

    /// <summary>Creates the authenticator of a shared key.</summary>
    public SyncAuthenticator(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinKeyLength)
        {
            throw new ArgumentException($"the sync key must have at least {MinKeyLength} bytes", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Appends the trailer to the message in <paramref name="buffer"/> (its first <paramref name="length"/> bytes).</summary>
    /// <returns>The signed datagram's length.</returns>
    public int Sign(Span<byte> buffer, int length, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, length + TrailerLength);
        var sequence = Math.Max(_lastSequence + 1, Microseconds(now));
        _lastSequence = sequence;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(length), Magic);
        BinaryPrimitives.WriteUInt64BigEndian(buffer.Slice(length + 4), sequence);
        HMACSHA256.HashData(_key, buffer.Slice(0, length + 12), buffer.Slice(length + 12, 32));
        return length + TrailerLength;
    }

    /// <summary>Checks a received datagram from <paramref name="sender"/>; on success <paramref name="messageLength"/> is the IPVS message's length.</summary>
    public SyncAuthStatus Verify(ReadOnlySpan<byte> datagram, uint sender, DateTimeOffset now, out int messageLength)
    {
        messageLength = datagram.Length - TrailerLength;
        if (messageLength < 0 || BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(messageLength)) != Magic)
        {
            return SyncAuthStatus.Unauthenticated;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, datagram.Slice(0, messageLength + 12), mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, datagram.Slice(messageLength + 12, 32)))
        {
            return SyncAuthStatus.BadMac;
        }

        var sequence = BinaryPrimitives.ReadUInt64BigEndian(datagram.Slice(messageLength + 4));
        var clock = Microseconds(now);
        var skew = (ulong)(MaxSkew.Ticks / 10);
        if (sequence > clock + skew || sequence + skew < clock)
        {
            return SyncAuthStatus.Stale;
        }

        if (!_senders.TryGetValue(sender, out var state))
        {
            _senders[sender] = (sequence, 1);
            return SyncAuthStatus.Accepted;
        }

        if (sequence > state.Highest)
        {
            var shift = sequence - state.Highest;
            var seen = shift >= Window ? 1UL : (state.Seen << (int)shift) | 1;
            _senders[sender] = (sequence, seen);
            return SyncAuthStatus.Accepted;
        }

        var back = state.Highest - sequence;
        if (back >= Window || (state.Seen & (1UL << (int)back)) != 0)
        {
            return SyncAuthStatus.Replayed;
        }

        _senders[sender] = (state.Highest, state.Seen | (1UL << (int)back));
        return SyncAuthStatus.Accepted;
    }

    private static ulong Microseconds(DateTimeOffset now) => (ulong)((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LvsNet.Core.Sync;
using Xunit;

namespace LvsNet.Core.Tests.Sync;

/// <summary>
/// The authenticated sync mode's trailer (magic "LVA1", 64-bit sequence, HMAC-SHA256 over the
/// message, magic and sequence) and the receiver's checks: MAC, clock skew, replay window.
/// </summary>
public class SyncAuthenticatorTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 20, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Message = Convert.FromHexString("0000002c01010000" + "00060024000000830001c35000500050000000000000038" + "40a4d000a0a4d00640a4d000b");

    private static byte[] Sign(SyncAuthenticator auth, DateTimeOffset at)
    {
        var buffer = new byte[Message.Length + SyncAuthenticator.TrailerLength];
        Message.CopyTo(buffer, 0);
        Assert.Equal(buffer.Length, auth.Sign(buffer, Message.Length, at));
        return buffer;
    }

    [Fact]
    public void Trailer_IsMagicSequenceAndHmacOverEverythingBefore()
    {
        var signed = Sign(new SyncAuthenticator(Key), Now);
        Assert.Equal(Message, signed[..Message.Length]);
        Assert.Equal("LVA1", Encoding.ASCII.GetString(signed, Message.Length, 4));
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(signed.AsSpan(Message.Length + 4));
        Assert.Equal((ulong)(Now - DateTimeOffset.UnixEpoch).Ticks / 10, sequence);
        using var hmac = new HMACSHA256(Key);
        Assert.Equal(hmac.ComputeHash(signed, 0, Message.Length + 12), signed[(Message.Length + 12)..]);
    }

    [Fact]
    public void Verify_Accepts_AndGivesTheMessageLength()
    {
        var signed = Sign(new SyncAuthenticator(Key), Now);
        Assert.Equal(SyncAuthStatus.Accepted, new SyncAuthenticator(Key).Verify(signed, 1, Now.AddSeconds(1), out var length));
        Assert.Equal(Message.Length, length);
    }

    [Fact]
    public void AnyChangedByte_OrAnotherKey_IsABadMac()
    {
        var signed = Sign(new SyncAuthenticator(Key), Now);
        for (var i = 0; i < signed.Length; i++)
        {
            if (i >= Message.Length && i < Message.Length + 4)
            {
                continue; // the magic: a changed magic is "unauthenticated"
            }

            var copy = (byte[])signed.Clone();
            copy[i] ^= 0x01;
            Assert.Equal(SyncAuthStatus.BadMac, new SyncAuthenticator(Key).Verify(copy, 1, Now, out _));
        }

        var other = (byte[])Key.Clone();
        other[0] ^= 0xff;
        Assert.Equal(SyncAuthStatus.BadMac, new SyncAuthenticator(other).Verify(signed, 1, Now, out _));
    }

    [Fact]
    public void PlainIpvsMessage_OrShortDatagram_IsUnauthenticated()
    {
        var verifier = new SyncAuthenticator(Key);
        Assert.Equal(SyncAuthStatus.Unauthenticated, verifier.Verify(Message, 1, Now, out _));
        Assert.Equal(SyncAuthStatus.Unauthenticated, verifier.Verify(new byte[10], 1, Now, out _));
        Assert.Equal(SyncAuthStatus.Unauthenticated, verifier.Verify([], 1, Now, out _));
    }

    [Fact]
    public void Replay_IsRefused_ReorderWithinTheWindowIsNot()
    {
        var sender = new SyncAuthenticator(Key);
        var first = Sign(sender, Now);
        var second = Sign(sender, Now);
        var third = Sign(sender, Now);
        var verifier = new SyncAuthenticator(Key);
        Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(third, 7, Now, out _));
        Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(first, 7, Now, out _));
        Assert.Equal(SyncAuthStatus.Replayed, verifier.Verify(first, 7, Now, out _));
        Assert.Equal(SyncAuthStatus.Replayed, verifier.Verify(third, 7, Now, out _));
        Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(second, 7, Now, out _));

        // Another sender's window is its own.
        Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(first, 8, Now, out _));
    }

    [Fact]
    public void SequenceBehindTheWindow_IsRefused()
    {
        var sender = new SyncAuthenticator(Key);
        var old = Sign(sender, Now);
        var verifier = new SyncAuthenticator(Key);
        Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(Sign(sender, Now), 7, Now, out _));
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(SyncAuthStatus.Accepted, verifier.Verify(Sign(sender, Now), 7, Now, out _));
        }

        Assert.Equal(SyncAuthStatus.Replayed, verifier.Verify(old, 7, Now, out _));
    }

    [Fact]
    public void SequenceFarFromTheClock_IsStale()
    {
        var signed = Sign(new SyncAuthenticator(Key), Now);
        Assert.Equal(SyncAuthStatus.Stale, new SyncAuthenticator(Key).Verify(signed, 1, Now + SyncAuthenticator.MaxSkew + TimeSpan.FromSeconds(1), out _));
        Assert.Equal(SyncAuthStatus.Stale, new SyncAuthenticator(Key).Verify(signed, 1, Now - SyncAuthenticator.MaxSkew - TimeSpan.FromSeconds(1), out _));
        Assert.Equal(SyncAuthStatus.Accepted, new SyncAuthenticator(Key).Verify(signed, 1, Now + SyncAuthenticator.MaxSkew - TimeSpan.FromSeconds(1), out _));
    }

    [Fact]
    public void SequencesGrow_EvenWhenTheClockStandsStillOrGoesBack()
    {
        var sender = new SyncAuthenticator(Key);
        var a = BinaryPrimitives.ReadUInt64BigEndian(Sign(sender, Now).AsSpan(Message.Length + 4));
        var b = BinaryPrimitives.ReadUInt64BigEndian(Sign(sender, Now).AsSpan(Message.Length + 4));
        var c = BinaryPrimitives.ReadUInt64BigEndian(Sign(sender, Now.AddSeconds(-5)).AsSpan(Message.Length + 4));
        Assert.True(a < b && b < c);
    }

    [Fact]
    public void ShortKey_IsRefused() => Assert.Throws<ArgumentException>(() => new SyncAuthenticator(new byte[15]));

    [Fact]
    public void HostileDatagrams_NeverThrow()
    {
        var random = new Random(17);
        var verifier = new SyncAuthenticator(Key);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length >= 44 && i % 2 == 0)
            {
                "LVA1"u8.CopyTo(bytes.AsSpan(bytes.Length - 44));
            }

            Assert.NotEqual(SyncAuthStatus.Accepted, verifier.Verify(bytes, (uint)i, Now, out _));
        }
    }
}

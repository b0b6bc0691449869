using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived UDP_CHECK: sends <see cref="Payload"/> in one datagram. An ICMP port unreachable
/// (or any ICMP error) within connect_timeout means down. Without <see cref="RequireReply"/>,
/// silence until connect_timeout means up; with it, a reply must arrive, its length must lie in
/// <see cref="MinReplyLength"/>..<see cref="MaxReplyLength"/> and its first bytes must equal
/// <see cref="Reply"/> (keepalived compares the shorter of the two).
/// </summary>
public sealed record UdpCheckConfig : CheckerConfig
{
    /// <summary>keepalived's default <c>max_reply_length</c>: 255.</summary>
    public const int DefaultMaxReplyLength = 255;

    /// <summary>keepalived <c>payload</c> (hex in YAML): the datagram sent; empty = an empty datagram.</summary>
    public ImmutableArray<byte> Payload { get; init; } = [];

    /// <summary>keepalived <c>require_reply</c>: the server must answer.</summary>
    public bool RequireReply { get; init; }

    /// <summary>keepalived <c>require_reply</c>'s hex argument: the bytes the reply must start with; empty = any reply.</summary>
    public ImmutableArray<byte> Reply { get; init; } = [];

    /// <summary>keepalived <c>min_reply_length</c>.</summary>
    public int MinReplyLength { get; init; }

    /// <summary>keepalived <c>max_reply_length</c>.</summary>
    public int MaxReplyLength { get; init; } = DefaultMaxReplyLength;

    /// <inheritdoc />
    public override string Kind => CheckerKinds.Udp;

    /// <inheritdoc />
    public override bool WaitsFullTimeout => !RequireReply;

    /// <inheritdoc />
    public override string Describe() => RequireReply ? $"{Kind} (reply required)" : Kind;

    /// <summary>True when a reply of <paramref name="reply"/> passes (length range, then the expected prefix).</summary>
    public bool Accepts(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < MinReplyLength || reply.Length > MaxReplyLength)
        {
            return false;
        }

        var compared = Math.Min(reply.Length, Reply.IsDefault ? 0 : Reply.Length);
        return reply[..compared].SequenceEqual(Reply.AsSpan(0, compared));
    }

    /// <summary>Value equality, byte strings included.</summary>
    public bool Equals(UdpCheckConfig? other) =>
        other is not null
        && base.Equals(other)
        && HealthConfigEquality.SequenceEqual(Payload, other.Payload)
        && RequireReply == other.RequireReply
        && HealthConfigEquality.SequenceEqual(Reply, other.Reply)
        && MinReplyLength == other.MinReplyLength
        && MaxReplyLength == other.MaxReplyLength;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Payload.IsDefault ? 0 : Payload.Length, RequireReply, MinReplyLength, MaxReplyLength);
}

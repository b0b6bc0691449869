using System.Diagnostics.Metrics;

namespace LvsNet.Daemon.Metrics;

/// <summary>The ICMPv6 counters of the IPv6 data path.</summary>
public sealed partial class LvsMetrics
{
    private Measurement<long>[] Icmpv6Messages()
    {
        if (_capture.Counters is not { } c)
        {
            return [];
        }

        return
        [
            new(c.Icmpv6EchoRepliesSent, new KeyValuePair<string, object?>("kind", "echo_reply")),
            new(c.Icmpv6UnreachableSent, new KeyValuePair<string, object?>("kind", "port_unreachable")),
            new(c.Icmpv6TimeExceededSent, new KeyValuePair<string, object?>("kind", "time_exceeded")),
            new(c.Icmpv6PacketTooBigSent, new KeyValuePair<string, object?>("kind", "packet_too_big")),
            new(c.Icmpv6ErrorsSuppressed, new KeyValuePair<string, object?>("kind", "suppressed")),
            new(c.Icmpv6ErrorsForwarded, new KeyValuePair<string, object?>("kind", "forwarded")),
        ];
    }
}

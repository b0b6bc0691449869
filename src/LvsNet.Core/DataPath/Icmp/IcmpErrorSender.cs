using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Icmp;

/// <summary>
/// ICMP errors the director itself sends (port unreachable when no server is available,
/// fragmentation needed for a packet that no longer fits once encapsulated), under one token
/// bucket refilled every tick, like the kernel's icmp_msgs_per_sec.
/// </summary>
internal sealed class IcmpErrorSender
{
    private readonly Egress _egress;
    private readonly DataPathCounters _counters;
    private readonly int _perTick;
    private int _tokens;

    public IcmpErrorSender(Egress egress, DataPathCounters counters, int errorsPerSecond)
    {
        _egress = egress;
        _counters = counters;
        _perTick = Math.Max(1, errorsPerSecond / ConnectionClock.TicksPerSecond);
        _tokens = _perTick;
    }

    /// <summary>Refills the bucket; called once per tick.</summary>
    public void Refill() => _tokens = _perTick;

    /// <summary>
    /// Takes one token for an error about to be sent; false (counted as suppressed by the caller)
    /// when the bucket is empty. ICMPv6 errors draw from the same bucket, as the kernel's
    /// icmp_global_allow budget is shared by ICMP and ICMPv6.
    /// </summary>
    public bool TryTakeToken()
    {
        if (_tokens <= 0)
        {
            return false;
        }

        _tokens--;
        return true;
    }

    /// <summary>
    /// Sends an error about <paramref name="ip"/> back to the frame's sender, from
    /// <paramref name="source"/> (0: the packet's destination), unless the bucket is empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Send(ReadOnlySpan<byte> frame, Ipv4Header ip, byte type, byte code, uint restOfHeader = 0, uint source = 0)
    {
        if (!TryTakeToken())
        {
            _counters._icmpErrorsSuppressed++;
            return;
        }

        var sourceMac = MacAddress.Read(frame.Slice(MacAddress.Length));
        var scratch = _egress.Scratch;
        var length = IcmpWriter.WriteErrorFrame(scratch, sourceMac, _egress.Mac, source != 0 ? source : ip.Destination, ip.Packet, type, code, restOfHeader);
        if (_egress.Send(scratch.Slice(0, length)))
        {
            _counters._icmpErrorsSent++;
        }
    }
}

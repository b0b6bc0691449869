using LvsNet.Packets.Writing;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Packets.Tests;

/// <summary>The per-packet work of the data path (parse, TTL decrement, NAT rewrite) must not allocate.</summary>
public class DataPathAllocationTests
{
    private const int Iterations = 100_000;
    private const uint Vip = 0xCB00_7164;
    private const uint RealServer = 0x0A00_000B;

    [Fact]
    public void ParseDecrementTtlAndRewrite_100000Frames_AllocatesNothing()
    {
        var tcp = new FrameBuilder { Destination = Vip, VlanTci = 42 }.Tcp(40000, 80, TcpFlags.Ack, options: FrameBuilder.LinuxSynOptions, payload: new byte[64]);
        var udp = new FrameBuilder { Destination = Vip, IpOptions = FrameBuilder.RouterAlertOptions }.Udp(40000, 53, new byte[33]);
        var udpWithoutChecksum = new FrameBuilder { Destination = Vip }.Udp(40000, 53, new byte[33], withoutChecksum: true);

        // Warm up: JIT, tiering and any lazy static initialisation happen before the measurement.
        var warmUp = Run(tcp, udp, udpWithoutChecksum, Iterations / 10);

        var before = AllocationMeter.Start();
        var work = Run(tcp, udp, udpWithoutChecksum, Iterations);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(warmUp > 0 && work > 0);

        // The loop really did the work: the frames are still valid after 110,000 rewrites each.
        foreach (var frame in new[] { tcp, udp })
        {
            var ip = SampleFrames.EthernetLength(frame);
            Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(ip)));
            Assert.True(RefChecksum.IsTransportValid(frame.AsSpan(ip)));
        }
    }

    private static long Run(byte[] tcp, byte[] udp, byte[] udpWithoutChecksum, int iterations)
    {
        long work = 0;
        for (var i = 0; i < iterations; i++)
        {
            var frame = (i % 3) switch { 0 => tcp, 1 => udp, _ => udpWithoutChecksum };
            if (i % 3 == 2)
            {
                // Put "no checksum" back so that every round takes the full-computation path.
                frame[^(33 + 2)] = 0;
                frame[^(33 + 1)] = 0;
            }

            work += ProcessFrame(frame, i);
        }

        return work;
    }

    private static long ProcessFrame(byte[] frame, int i)
    {
        if (!EthernetHeader.TryParse(frame, out var ethernet) || ethernet.EtherType != EtherType.Ipv4)
        {
            return 0;
        }

        var headerLength = ethernet.HeaderLength;
        if (!Ipv4Header.TryParse(ethernet.Payload, out var ip) || !ip.IsChecksumValid)
        {
            return 0;
        }

        long work = ip.Source + ip.Destination + ip.Ttl;
        var ports = 0;
        if (ip.Protocol == IpProtocol.Tcp && TcpHeader.TryParse(ip.Payload, out var tcp))
        {
            ports = tcp.SourcePort + tcp.DestinationPort;
            work += tcp.SequenceNumber + (byte)tcp.Flags + tcp.Options.Length + tcp.Payload.Length;
        }
        else if (ip.Protocol == IpProtocol.Udp && UdpHeader.TryParse(ip.Payload, out var udp))
        {
            ports = udp.SourcePort + udp.DestinationPort;
            work += udp.Checksum + udp.Payload.Length;
        }

        var packet = frame.AsSpan(headerLength, ip.TotalLength);
        if (!Ipv4Writer.DecrementTtl(packet))
        {
            packet[8] = 64;
            Ipv4Writer.UpdateChecksum(packet);
        }

        if (i % 2 == 0)
        {
            NatRewriter.RewriteDestination(packet, RealServer, 8080);
        }
        else
        {
            NatRewriter.RewriteDestination(packet, Vip, 80);
        }

        return work + ports;
    }
}

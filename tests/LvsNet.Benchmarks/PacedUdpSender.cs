using System.Buffers.Binary;
using System.Diagnostics;
using LvsNet.PacketIo.AfXdp;

namespace LvsNet.Benchmarks;

/// <summary>
/// The sending side of the veth receive benchmarks (xdp-rate, pcap-compare): 60-byte UDP frames
/// from 10.202.0.2 to the benchmark's VIP, numbered in their payload, sent from an AF_XDP socket
/// as fast as it can or paced to a rate.
/// </summary>
internal static class PacedUdpSender
{
    /// <summary>The VIP the frames go to.</summary>
    public static readonly byte[] Vip = [10, 202, 0, 100];

    /// <summary>One frame to send; <see cref="Send"/> writes each frame's number at offset 42.</summary>
    public static byte[] Frame()
    {
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0x02);
        frame.AsSpan(6, 6).Fill(0x04);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        frame[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 46);
        frame[22] = 64;
        frame[23] = 17;
        new byte[] { 10, 202, 0, 2 }.CopyTo(frame, 26);
        Vip.CopyTo(frame, 30);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), 26);
        return frame;
    }

    /// <summary>Sends up to <paramref name="frames"/> copies of <paramref name="frame"/> (paced to <paramref name="rate"/> a second when above 0) within <paramref name="limit"/>.</summary>
    /// <returns>The frames sent and the seconds it took.</returns>
    public static (int Sent, double Seconds) Send(AfXdpDevice sender, byte[] frame, int frames, int rate, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var sent = 0;
        while (sent < frames && watch.Elapsed < limit)
        {
            // Pacing: sleep while more than 2 ms ahead of the schedule.
            if (rate > 0 && (sent & 63) == 0)
            {
                while (sent / (double)rate - watch.Elapsed.TotalSeconds > 0.002)
                {
                    sender.Flush();
                    Thread.Sleep(1);
                }
            }

            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(42), sent);
            if (sender.Send(frame))
            {
                sent++;
            }
            else
            {
                sender.Flush();
            }
        }

        sender.Flush();
        return (sent, watch.Elapsed.TotalSeconds);
    }
}

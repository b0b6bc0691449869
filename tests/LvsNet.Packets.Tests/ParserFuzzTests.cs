using Xunit;

namespace LvsNet.Packets.Tests;

/// <summary>Deterministic fuzzing of every parser: seeded random input, no exception, views within the span.</summary>
public class ParserFuzzTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void TryParse_RandomBytes_NeverThrows()
    {
        var random = new Random(20240611);
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = new byte[random.Next(0, 160)];
            random.NextBytes(bytes);
            ParserProbe.ProbeAll(bytes);
        }
    }

    /// <summary>Random bytes shaped to get past the first checks (EtherType, version/IHL, lengths), so the deeper parsers see them.</summary>
    [Fact]
    public void TryParse_RandomBytesWithPlausibleHeaders_NeverThrows()
    {
        var random = new Random(1624);
        var reachedTransport = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = new byte[random.Next(14, 140)];
            random.NextBytes(bytes);
            var ip = 14;
            if (random.Next(4) == 0)
            {
                FrameBuilder.WriteUInt16(bytes, 12, 0x8100);
                ip = 18;
            }

            if (bytes.Length >= ip)
            {
                FrameBuilder.WriteUInt16(bytes, ip - 2, random.Next(5) == 0 ? (ushort)0x0806 : (ushort)0x0800);
            }

            if (bytes.Length > ip + 20)
            {
                bytes[ip] = (byte)(0x40 | random.Next(16));
                var available = bytes.Length - ip;
                FrameBuilder.WriteUInt16(bytes, ip + 2, (ushort)random.Next(0, available + 8));
                bytes[ip + 9] = (byte)(random.Next(3) switch { 0 => 6, 1 => 17, _ => 1 });
                var l4 = ip + ((bytes[ip] & 0x0F) * 4);
                if (l4 + 13 < bytes.Length)
                {
                    bytes[l4 + 12] = (byte)(random.Next(16) << 4);
                    FrameBuilder.WriteUInt16(bytes, l4 + 4, (ushort)random.Next(0, bytes.Length - l4 + 4));
                }
            }

            if (ParserProbe.ProbeFrame(bytes) > 0
                && Ipv4Header.TryParse(bytes.AsSpan(ip), out var header)
                && (TcpHeader.TryParse(header.Payload, out _) || UdpHeader.TryParse(header.Payload, out _)))
            {
                reachedTransport++;
            }

            ParserProbe.ProbeAll(bytes);
        }

        // The shaping works: a good share of the inputs reach a transport parser that accepts them.
        Assert.InRange(reachedTransport, Iterations / 50, Iterations);
    }

    /// <summary>Valid sample frames with random bytes overwritten, random length fields, random truncation.</summary>
    [Fact]
    public void TryParse_MutatedSampleFrames_NeverThrows()
    {
        var random = new Random(791);
        var samples = FrameBuilder.Samples.Values.ToArray();
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = (byte[])samples[random.Next(samples.Length)].Clone();
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(3) == 0 ? random.Next(bytes.Length + 1) : bytes.Length;
            ParserProbe.ProbeAll(bytes.AsSpan(0, length).ToArray());
        }
    }
}

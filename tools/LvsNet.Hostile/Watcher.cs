using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LvsNet.PacketIo;
using LvsNet.PacketIo.AfPacket;

namespace LvsNet.Hostile;

/// <summary>
/// Counts, on one host of the lab, the frames that came from the director: per class, those that carry
/// a campaign marker (the magic payload, or a marked TCP sequence number when the header is whole), and
/// "diverted" IPv4 and IPv6 (not ICMPv6) frames addressed to a MAC that is not this host's (what a poisoned neighbour entry
/// produces: the bridge floods frames for an unknown, broadcast or multicast MAC to every port). Only
/// frames whose Ethernet source is the director count, so the hostile originals, which the bridge may
/// flood before it has learned the director's port, never do. The totals go to a JSON file every 100 ms.
/// </summary>
internal sealed class Watcher : IFrameHandler
{
    private readonly byte[] _ownMac;
    private readonly byte[] _directorMac;
    private readonly long[] _marked = new long[256];
    private long _fromDirector;
    private long _diverted;
    private long _frames;

    public Watcher(byte[] ownMac, byte[] directorMac)
    {
        _ownMac = ownMac;
        _directorMac = directorMac;
    }

    public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
    {
        _frames++;
        if (frame.Length < RawFrames.EthernetLength || !frame.Slice(6, 6).SequenceEqual(_directorMac))
        {
            return;
        }

        _fromDirector++;
        var ip = RawFrames.EthernetLength;
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType == RawFrames.EtherVlan && frame.Length >= 18)
        {
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            ip = 18;
        }

        var ipv6 = etherType == RawFrames.EtherIpv6;
        if (etherType != RawFrames.EtherIpv4 && !ipv6)
        {
            return;
        }

        // ICMPv6 (neighbour solicitations to multicast MACs above all) is the director's own traffic, never diverted.
        if (!frame[..6].SequenceEqual(_ownMac) && !(ipv6 && frame.Length > ip + 6 && frame[ip + 6] == 58))
        {
            _diverted++;
        }

        var magic = frame.IndexOf(RawFrames.Magic);
        if (magic >= 0 && magic + RawFrames.Magic.Length < frame.Length)
        {
            _marked[frame[magic + RawFrames.Magic.Length]]++;
            return;
        }

        // No payload marker: a runt, a flood SYN or a tiny first fragment may still carry the sequence marker.
        if (ipv6)
        {
            // An IPv6 TCP segment right after the fixed header.
            if (frame.Length >= ip + 48 && frame[ip + 6] == 6)
            {
                var sequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(ip + 44)..]);
                if ((sequence >> 8) == RawFrames.SequenceMagic)
                {
                    _marked[sequence & 0xff]++;
                }
            }

            return;
        }

        if (frame.Length >= ip + 20 && (frame[ip] >> 4) == 4 && frame[ip + 9] == 6
            && (BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + 6)..]) & 0x1fff) == 0)
        {
            var tcp = ip + ((frame[ip] & 0x0f) * 4);
            if (tcp + 8 <= frame.Length)
            {
                var sequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(tcp + 4)..]);
                if ((sequence >> 8) == RawFrames.SequenceMagic)
                {
                    _marked[sequence & 0xff]++;
                }
            }
        }
    }

    /// <summary>Captures on <paramref name="interfaceName"/> until <paramref name="duration"/> passes or SIGTERM/SIGINT.</summary>
    public void Run(string interfaceName, string outputPath, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var device = new AfPacketDevice(new AfPacketOptions(interfaceName)
        {
            Promiscuous = true,
            BlockSizeBytes = 256 * 1024,
            BlockCount = 64,
            FrameSizeBytes = 2048,
        });
        var lastWrite = Stopwatch.StartNew();
        Write(outputPath, device);
        while (!stop.IsCancellationRequested)
        {
            if (device.Wait(TimeSpan.FromMilliseconds(50)) == WaitResult.Readable)
            {
                while (device.Dispatch(this, 4096) > 0)
                {
                }
            }

            if (lastWrite.ElapsedMilliseconds >= 100)
            {
                Write(outputPath, device);
                lastWrite.Restart();
            }
        }

        while (device.Dispatch(this, 4096) > 0)
        {
        }

        Write(outputPath, device);
    }

    private void Write(string path, AfPacketDevice device)
    {
        var stats = device.GetStatistics();
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"frames\":{_frames},\"from_director\":{_fromDirector},\"diverted\":{_diverted},\"kernel_drops\":{stats.Dropped},\"marked\":{{");
        var first = true;
        for (var i = 0; i < _marked.Length; i++)
        {
            if (_marked[i] != 0)
            {
                json.Append(CultureInfo.InvariantCulture, $"{(first ? "" : ",")}\"{i}\":{_marked[i]}");
                first = false;
            }
        }

        json.Append("}}\n");
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json.ToString());
        File.Move(temporary, path, overwrite: true);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using LvsNet.Blaster;
using LvsNet.PacketIo;
using LvsNet.PacketIo.AfPacket;

// A bounded load generator for the pps lab bench: every run stops at --count frames or after
// --duration, whichever comes first. It only sends on the interface it is given, which the bench
// script opens inside the lab's client namespace.
BlastOptions options;
try
{
    options = BlastOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("lvsnet-blaster: " + ex.Message);
    Console.Error.WriteLine(BlastOptions.Usage);
    return 2;
}

var sourceMac = (options.SourceMac ?? ReadInterfaceMac(options.Interface)).GetAddressBytes();
var destinationMac = options.DestinationMac.GetAddressBytes();
var ack = options.Mode == "ack";

// SYN flood: a new source port per frame, cycling through 60,000 ports; established flows: --flows ports.
var frameCount = ack ? options.Flows : 60000;
var frames = new byte[frameCount][];
var syns = new byte[options.Flows][];
// Flow i comes from client address src-ip + (i mod sources): several workers steer by client address.
var firstSource = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(options.SourceIp.GetAddressBytes());
System.Net.IPAddress SourceOf(int flow) => new(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(firstSource + (uint)(flow % options.Sources)));
for (var i = 0; i < frameCount; i++)
{
    frames[i] = TcpFrames.Build(sourceMac, destinationMac, SourceOf(i), options.Vip, (ushort)(1024 + i), options.Port, options.Size, ack);
}

for (var i = 0; i < options.Flows; i++)
{
    syns[i] = TcpFrames.Build(sourceMac, destinationMac, SourceOf(i), options.Vip, (ushort)(1024 + i), options.Port, 64, ack: false);
}

using var device = new AfPacketDevice(new AfPacketOptions(options.Interface)
{
    Filter = "less 1",
    Promiscuous = false,
    BlockSizeBytes = 64 * 1024,
    BlockCount = 1,
    TransmitBatchSize = options.Batch,
    TransmitFrameSizeBytes = 2048,
    QdiscBypass = options.QdiscBypass,
});

if (ack)
{
    // Open every flow once, so the director holds a connection for each before the ACKs come.
    foreach (var syn in syns)
    {
        device.Send(syn);
    }

    device.Flush();
    Thread.Sleep(300);
}

var primed = device.Sent;
var start = Stopwatch.GetTimestamp();
var ticksPerSecond = (double)Stopwatch.Frequency;
long offered = 0;
var next = 0;
while (offered < options.Count)
{
    var elapsed = Stopwatch.GetTimestamp() - start;
    if (elapsed >= options.Duration.TotalSeconds * ticksPerSecond)
    {
        break;
    }

    var allowed = options.Pps == 0 ? options.Count : Math.Min(options.Count, (long)(elapsed / ticksPerSecond * options.Pps) + options.Batch);
    var burst = (int)Math.Min(options.Batch, allowed - offered);
    if (burst <= 0)
    {
        Thread.Sleep(1);
        continue;
    }

    for (var i = 0; i < burst; i++)
    {
        device.Send(frames[next]);
        next = next + 1 == frames.Length ? 0 : next + 1;
    }

    device.Flush();
    offered += burst;
}

var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
var sent = device.Sent - primed;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"mode\":\"{options.Mode}\",\"frame_bytes\":{frames[0].Length + 4},\"flows\":{(ack ? options.Flows : frameCount)},\"primed\":{primed},\"offered\":{offered},\"sent\":{sent},\"failed\":{device.SendFailures},\"seconds\":{seconds:F3},\"offered_pps\":{sent / seconds:F0},\"send_calls\":{device.SendCalls}}}"));
return 0;

static PhysicalAddress ReadInterfaceMac(string name) =>
    PhysicalAddress.Parse(File.ReadAllText($"/sys/class/net/{name}/address").Trim().Replace(':', '-'));

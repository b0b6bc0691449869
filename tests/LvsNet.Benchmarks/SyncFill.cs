using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LvsNet.Core.Sync;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Fills a backup lvsnetd's connection table through its sync daemon: sends IPVS sync messages
/// (version 1) for <c>count</c> ESTABLISHED DR connections to one service, paced, to a unicast
/// address (loopback or a lab namespace). Sending the same set again only refreshes them, so a
/// second pass fills whatever the first lost to a full socket buffer.
/// </summary>
/// <remarks>Usage: <c>sync-fill ADDRESS PORT COUNT VIP:PORT SERVER[:PORT] [messages per second] [syncid]</c>.</remarks>
internal static class SyncFill
{
    public static int Run(string[] args)
    {
        if (args.Length < 6)
        {
            Console.Error.WriteLine("usage: sync-fill ADDRESS PORT COUNT VIP:PORT SERVER[:PORT] [messages/s] [syncid]");
            return 2;
        }

        var target = new IPEndPoint(IPAddress.Parse(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture));
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var (vip, vport) = Endpoint(args[4], 0);
        var (server, sport) = Endpoint(args[5], vport);
        var perSecond = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 20_000;
        var syncId = args.Length > 7 ? byte.Parse(args[7], CultureInfo.InvariantCulture) : (byte)0;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var writer = new SyncMessageWriter(1, 1472, syncId);
        var watch = Stopwatch.StartNew();
        long messages = 0;
        for (var i = 0; i < count; i++)
        {
            // Clients over 10.128.0.0/9 with ports 1024..65535: distinct keys, as many as asked.
            var client = 0x0A800000u + (uint)(i / 64512);
            var port = (ushort)(1024 + (i % 64512));
            var connection = new SyncConnection(IpProtocol.Tcp, IpvsConnectionFlags.DirectRoute, 1, client, port, vip, vport, server, sport, 0, 3600);
            if (!writer.TryAdd(connection))
            {
                Send();
                writer.TryAdd(connection);
            }
        }

        if (writer.Count > 0)
        {
            Send();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {count:N0} connections in {messages:N0} messages in {watch.Elapsed.TotalSeconds:F1} s"));
        return 0;

        void Send()
        {
            socket.SendTo(writer.Message, target);
            writer.Reset();
            messages++;

            // Pace: never ahead of the configured message rate.
            while (messages * 1000 / perSecond > watch.ElapsedMilliseconds)
            {
                Thread.Sleep(1);
            }
        }
    }

    private static (uint Address, ushort Port) Endpoint(string text, ushort defaultPort)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var address = Ipv4Address.Parse(colon < 0 ? text : text[..colon]);
        var port = colon < 0 ? defaultPort : ushort.Parse(text[(colon + 1)..], CultureInfo.InvariantCulture);
        return (address, port);
    }
}

using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The sockets of the sync daemons, set up as the kernel's make_send_sock and make_receive_sock
/// do: the master sends from the interface's address to the group (multicast interface and TTL
/// set, loopback off, may fragment); the backup binds the group and port on the interface and joins
/// the group there. A unicast "group" (a peer's address) works the same way without the join.
/// </summary>
internal static class SyncEndpoint
{
    // SOL_SOCKET / SO_BINDTODEVICE (asm-generic/socket.h): the backup hears only its interface.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    /// <summary>True for 224.0.0.0/4.</summary>
    public static bool IsMulticast(uint group) => (group & 0xF0000000) == 0xE0000000;

    /// <summary>The master's socket, connected to the group.</summary>
    public static Socket OpenSender(string interfaceName, uint group, int port, int ttl)
    {
        var nic = Find(interfaceName);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            var local = nic.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address
                ?? throw new InvalidOperationException($"sync daemon: interface {interfaceName} has no IPv4 address to send from");
            if (IsMulticast(group))
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(IndexOf(nic)));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, ttl);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            }
            else
            {
                socket.Ttl = (short)ttl;
            }

            // IP_PMTUDISC_DONT, as the kernel's sender: a message may be fragmented when the MTU shrinks.
            socket.DontFragment = false;
            socket.Bind(new IPEndPoint(local, 0));
            socket.Connect(new IPEndPoint(Ipv4Address.ToIPAddress(group), port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The backup's socket, bound to the group and port on the interface.</summary>
    public static Socket OpenReceiver(string interfaceName, uint group, int port)
    {
        var nic = Find(interfaceName);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            var name = System.Text.Encoding.ASCII.GetBytes(interfaceName + "\0");
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, name);
            var multicast = IsMulticast(group);
            socket.Bind(new IPEndPoint(multicast ? Ipv4Address.ToIPAddress(group) : IPAddress.Any, port));
            if (multicast)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Ipv4Address.ToIPAddress(group), IndexOf(nic)));
            }

            socket.ReceiveBufferSize = Math.Max(socket.ReceiveBufferSize, 1 << 20);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The message length the master uses: the configured one, else MTU 1500 − 28 (the kernel's master uses 1500 whatever the MTU).</summary>
    public static int MasterMaxLength(SyncDaemonConfig config) =>
        Math.Clamp(config.MaxLength ?? 1500 - 28, SyncMinimum, 65535 - 28);

    /// <summary>The receive buffer of the backup: max(MTU, 1500) − 28 as the kernel, or more when a larger maxlen was set.</summary>
    public static int BackupMaxLength(SyncDaemonConfig config, int mtu) =>
        Math.Max(config.MaxLength ?? 0, Math.Clamp(mtu, 1500, 65535) - 28);

    // One header and one record.
    private const int SyncMinimum = 44;

    private static NetworkInterface Find(string name) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)
        ?? throw new InvalidOperationException($"sync daemon: unknown mcast interface {name}");

    private static int IndexOf(NetworkInterface nic) =>
        nic.GetIPProperties().GetIPv4Properties()?.Index
        ?? int.Parse(File.ReadAllText($"/sys/class/net/{nic.Name}/ifindex").Trim(), CultureInfo.InvariantCulture);
}

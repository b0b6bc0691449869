using System.Net;
using System.Net.Sockets;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>Check targets on 127.0.0.1 and free ports for the checker tests.</summary>
internal static class LoopbackTargets
{
    public static readonly TimeSpan CheckTime = TimeSpan.FromSeconds(5);

    public static CheckTarget Target(int port, IpProtocol protocol = IpProtocol.Tcp) => new()
    {
        Server = new RealServerKey(new ServiceKey(protocol, Ipv4Address.Parse("10.0.0.100"), 25), Ipv4Address.Parse("127.0.0.1"), (ushort)port),
        Endpoint = new IPEndPoint(IPAddress.Loopback, port),
    };

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

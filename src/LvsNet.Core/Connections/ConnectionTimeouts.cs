using LvsNet.Core.Configuration;

namespace LvsNet.Core.Connections;

/// <summary>The timeout of each connection state, in table ticks (IPVS defaults unless configured).</summary>
public sealed class ConnectionTimeouts
{
    private readonly uint[] _ticks = new uint[12];

    /// <summary>Creates the table from the configured ESTABLISHED, FIN_WAIT and UDP timeouts.</summary>
    public ConnectionTimeouts(ConnectionTableConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Set(ConnectionState.None, TimeSpan.FromSeconds(2));
        Set(ConnectionState.Established, config.TcpTimeout);
        Set(ConnectionState.SynSent, TimeSpan.FromSeconds(120));
        Set(ConnectionState.SynRecv, TimeSpan.FromSeconds(60));
        Set(ConnectionState.FinWait, config.TcpFinTimeout);
        Set(ConnectionState.TimeWait, TimeSpan.FromSeconds(120));
        Set(ConnectionState.Close, TimeSpan.FromSeconds(10));
        Set(ConnectionState.CloseWait, TimeSpan.FromSeconds(60));
        Set(ConnectionState.LastAck, TimeSpan.FromSeconds(30));
        Set(ConnectionState.Listen, TimeSpan.FromSeconds(120));
        Set(ConnectionState.SynAck, TimeSpan.FromSeconds(120));
        Set(ConnectionState.Udp, config.UdpTimeout);
    }

    /// <summary>The timeout of a newly created entry before its first transition (IPVS: 3 s).</summary>
    public static uint InitialTicks => ConnectionClock.ToTicks(TimeSpan.FromSeconds(3));

    /// <summary>The timeout of <paramref name="state"/> in ticks.</summary>
    public uint this[ConnectionState state] => _ticks[(int)state];

    private void Set(ConnectionState state, TimeSpan timeout) => _ticks[(int)state] = ConnectionClock.ToTicks(timeout);
}

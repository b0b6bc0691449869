namespace LvsNet.Core.Connections;

/// <summary>Which IPVS TCP transition table applies to a packet.</summary>
public enum TcpDirection
{
    /// <summary>Client to server, on a connection whose replies the director also sees (NAT).</summary>
    Input = 0,

    /// <summary>Server to client (NAT replies).</summary>
    Output = 1,

    /// <summary>Client to server on a connection whose replies bypass the director (DR, TUN).</summary>
    InputOnly = 2,
}

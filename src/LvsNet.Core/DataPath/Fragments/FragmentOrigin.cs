namespace LvsNet.Core.DataPath.Fragments;

/// <summary>Which way a fragmented datagram travels, which decides how it is forwarded once complete.</summary>
internal enum FragmentOrigin : byte
{
    /// <summary>A free queue.</summary>
    None = 0,

    /// <summary>A client's datagram to a VIP.</summary>
    Client,

    /// <summary>A NAT real server's reply to a client.</summary>
    NatReply,

    /// <summary>A real server's reply to a FULLNAT local address.</summary>
    FullNatReply,
}

using System.Net;

namespace LvsNet.Core.Health.Checkers;

/// <summary>Where one checker sends its probes and how its sockets are set up.</summary>
public sealed record CheckTarget
{
    /// <summary>The real server being checked.</summary>
    public required RealServerKey Server { get; init; }

    /// <summary>The address and port probed (the VIP when the probe goes through the real server).</summary>
    public required IPEndPoint Endpoint { get; init; }

    /// <summary>The source address of the probes (the director's own), or null for the kernel's choice.</summary>
    public IPAddress? BindAddress { get; init; }

    /// <summary>
    /// The socket mark (SO_MARK) that selects the policy route sending the probe to the real server's
    /// MAC with the VIP as destination, or null for ordinary routing.
    /// </summary>
    public int? SocketMark { get; init; }

    /// <summary>The real server's configured weight (FILE_CHECK adds its offset to it).</summary>
    public int ConfiguredWeight { get; init; } = 1;

    /// <summary>"10.0.0.11:80", or "10.0.0.100:80 via 10.0.0.11" for a probe through the real server.</summary>
    public override string ToString() => SocketMark is null ? Endpoint.ToString() : $"{Endpoint} via {Server.AddressText}";
}

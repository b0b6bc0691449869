namespace LvsNet.Core.Configuration;

/// <summary>keepalived TCP_CHECK: the server is up when a TCP connection to it completes within connect_timeout.</summary>
public sealed record TcpCheckConfig : CheckerConfig
{
    /// <inheritdoc />
    public override string Kind => CheckerKinds.Tcp;
}

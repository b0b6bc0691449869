namespace LvsNet.Control.Protocol;

/// <summary>
/// Constants of the command-socket protocol between <c>lvsnetadm</c> and <c>lvsnetd</c>: one JSON
/// request line, one JSON response line, then the connection closes.
/// </summary>
/// <remarks>
/// Every message carries <see cref="Version"/>. A daemon answers a request of another version with
/// an error naming both versions, so a mismatched CLI fails clearly instead of misreading fields.
/// Fields are added compatibly (unknown fields are ignored, absent ones take their defaults); a
/// change that is not compatible raises the version.
/// </remarks>
public static class ControlProtocol
{
    /// <summary>The protocol version this build speaks.</summary>
    public const int Version = 1;

    /// <summary>Where the daemon listens unless <c>--socket</c> says otherwise.</summary>
    public const string DefaultSocketPath = "/run/lvsnet/lvsnetd.sock";

    /// <summary>The environment variable that overrides the CLI's default socket path.</summary>
    public const string SocketEnvironmentVariable = "LVSNET_SOCKET";

    /// <summary>The largest request or response line accepted (a restore of many thousand rules fits).</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>The IPVS version ipvsadm prints in its first listing line ("1.2.1"), kept for scripts that parse it.</summary>
    public const string IpvsVersion = "1.2.1";
}

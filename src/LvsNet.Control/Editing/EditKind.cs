using System.Text.Json.Serialization;

namespace LvsNet.Control.Editing;

/// <summary>What an <see cref="EditOperation"/> does, named after the ipvsadm command.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EditKind>))]
public enum EditKind
{
    /// <summary>ipvsadm -A: add a virtual service.</summary>
    AddService,

    /// <summary>ipvsadm -E: replace a virtual service's settings (omitted options take their defaults).</summary>
    EditService,

    /// <summary>ipvsadm -D: delete a virtual service and its real servers.</summary>
    DeleteService,

    /// <summary>ipvsadm -C: delete every virtual service.</summary>
    Clear,

    /// <summary>ipvsadm -a: add a real server.</summary>
    AddServer,

    /// <summary>ipvsadm -e: replace a real server's settings (omitted options take their defaults).</summary>
    EditServer,

    /// <summary>ipvsadm -d: delete a real server.</summary>
    DeleteServer,

    /// <summary>ipvsadm --set tcp tcpfin udp: connection timeouts (0 leaves one unchanged).</summary>
    SetTimeouts,

    /// <summary>-P/--add-laddr: add a FULLNAT local address to a service's pool.</summary>
    AddLocalAddress,

    /// <summary>-Q/--del-laddr: remove a FULLNAT local address from a service's pool.</summary>
    DeleteLocalAddress,

    /// <summary>
    /// Change only the weight of one real server (or, without a server, of every real server of the
    /// service), keeping its method, thresholds, MAC and health checks: the status page's admin
    /// actions (set weight, drain, disable a service). ipvsadm has no such command; its -e replaces
    /// every setting.
    /// </summary>
    SetWeight,
}

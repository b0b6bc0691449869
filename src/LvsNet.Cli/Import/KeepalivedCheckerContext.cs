using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Import;

/// <summary>What a checker block inherits from its real server and virtual server (values keepalived resolves when the check runs).</summary>
/// <param name="Title">"virtual_server A P: real_server B Q" for messages.</param>
/// <param name="Director">The director (probes leave from its address).</param>
/// <param name="ServiceVirtualHost">The virtual_server's <c>virtualhost</c>, or null.</param>
/// <param name="ServerVirtualHost">The real_server's <c>virtualhost</c>, or null.</param>
/// <param name="ServiceDelayLoop">The virtual_server's delay_loop (keepalived's default 60 s when unset).</param>
/// <param name="ServerDelayLoop">The real_server's own delay_loop, or null.</param>
/// <param name="TrackFiles">The file's global <c>track_file</c> blocks by name (FILE_CHECK names one), or null.</param>
internal sealed record KeepalivedCheckerContext(
    string Title,
    DirectorConfig Director,
    string? ServiceVirtualHost,
    string? ServerVirtualHost,
    TimeSpan ServiceDelayLoop,
    TimeSpan? ServerDelayLoop,
    IReadOnlyDictionary<string, KeepalivedNode>? TrackFiles = null);

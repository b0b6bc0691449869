using System.Reflection;
using LvsNet.Cli.Import;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Cli.Top;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Admin;

/// <summary>
/// Runs one <c>lvsnetadm</c> command line against the daemon: parses it, sends the request, prints
/// ipvsadm's output (or JSON) and returns the exit status. The <c>lvsnetadm</c> executable is this
/// class bound to the console.
/// </summary>
/// <remarks>
/// Exit statuses: 0 success; 1 an LvsNet verb failed (reload rejected, import file unreadable);
/// 1 also for <c>-L -t</c> of a missing service, as ipvsadm;
/// 2 ipvsadm would refuse the command line (its fail()); 3 the daemon cannot be reached;
/// 4 import: something could not be mapped or lvsnetd would refuse the result (the YAML is still
/// written, the errors listed with their lines);
/// 255 the daemon refused the operation (ipvsadm returns -1 there) or popt-style option errors.
/// </remarks>
public sealed class AdminRunner
{
    /// <summary>Exit status when the daemon cannot be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Exit status of <c>-L</c> for one service that does not exist (ipvsadm's list_service).</summary>
    public const int ListFailed = 1;

    /// <summary>Exit status of <c>import</c> when something could not be mapped or lvsnetd would refuse the result.</summary>
    public const int ImportIncomplete = 4;

    /// <summary>Exit status when the daemon refused an ipvsadm operation.</summary>
    public const int Refused = 255;

    private readonly TextReader _stdin;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly INameResolver _resolver;

    /// <summary>Creates a runner over the given streams.</summary>
    public AdminRunner(TextReader stdin, TextWriter stdout, TextWriter stderr, INameResolver? resolver = null)
    {
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
        _resolver = resolver ?? new SystemNameResolver();
    }

    /// <summary>The terminal <c>top</c> draws on (the console in the executable; tests give their own). Default: not interactive, so top runs in batch mode.</summary>
    public ITopTerminal Terminal { get; init; } = new BatchTerminal();

    /// <summary>This build's version.</summary>
    public static string Version =>
        typeof(AdminRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runs the command line <paramref name="args"/>.</summary>
    /// <param name="args">The arguments (without the program name).</param>
    /// <param name="defaultSocket">$LVSNET_SOCKET, or null for the default path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The exit status.</returns>
    public async Task<int> RunAsync(IReadOnlyList<string> args, string? defaultSocket = null, CancellationToken cancellationToken = default)
    {
        AdminInvocation invocation;
        try
        {
            invocation = AdminCommandLine.Parse(args, defaultSocket, _resolver);
        }
        catch (IpvsadmUsageException ex)
        {
            await _stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }

        var client = new ControlClient(invocation.SocketPath);
        try
        {
            return invocation.Verb switch
            {
                AdminVerb.Reload => await ReloadAsync(client, invocation, cancellationToken).ConfigureAwait(false),
                AdminVerb.Status => await StatusAsync(client, invocation, cancellationToken).ConfigureAwait(false),
                AdminVerb.LogLevel => await SimpleAsync(client, new ControlRequest { Command = ControlCommands.LogLevel, Level = invocation.Level }, invocation, 1, cancellationToken).ConfigureAwait(false),
                AdminVerb.ExportYaml => await ExportAsync(client, cancellationToken).ConfigureAwait(false),
                AdminVerb.Import => await ImportAsync(client, invocation, cancellationToken).ConfigureAwait(false),
                AdminVerb.Role => await SimpleAsync(client, new ControlRequest { Command = ControlCommands.Role, Role = invocation.Role }, invocation, 1, cancellationToken).ConfigureAwait(false),
                AdminVerb.Top => await new TopRunner(client, _stdout, Terminal).RunAsync(invocation.Top ?? new TopOptions(), cancellationToken).ConfigureAwait(false),
                _ => await IpvsadmAsync(client, invocation, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (ControlConnectionException ex)
        {
            await _stderr.WriteLineAsync($"{AdminCommandLine.Program}: {ex.Message}").ConfigureAwait(false);
            await _stderr.WriteLineAsync("Is lvsnetd running (systemctl status lvsnet), and may this user open its socket (use sudo, or --socket PATH)?").ConfigureAwait(false);
            return Unreachable;
        }
    }

    private async Task<int> IpvsadmAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        var ipvsadm = invocation.Ipvsadm!;
        var resolver = (ipvsadm.Format & ListFormat.Numeric) != 0 ? NumericNameResolver.Instance : _resolver;
        switch (ipvsadm.Command)
        {
            case IpvsadmCommand.Help:
                await _stdout.WriteAsync(AdminCommandLine.Usage(Version)).ConfigureAwait(false);
                return 0;
            case IpvsadmCommand.Version:
                await _stdout.WriteLineAsync(AdminCommandLine.VersionLine(Version)).ConfigureAwait(false);
                return 0;
            case IpvsadmCommand.List when ipvsadm.Daemons:
            {
                var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.Daemons }, cancellationToken).ConfigureAwait(false);
                if (!await CheckAsync(response).ConfigureAwait(false))
                {
                    return Refused;
                }

                var daemons = response.Daemons ?? [];
                await _stdout.WriteAsync(invocation.Json ? ControlSerializer.ToJson(response) + "\n" : IpvsadmFormatter.Daemons(daemons)).ConfigureAwait(false);
                return 0;
            }

            case IpvsadmCommand.StartDaemon:
            case IpvsadmCommand.StopDaemon:
                return await SimpleAsync(
                    client,
                    new ControlRequest { Command = ipvsadm.Command == IpvsadmCommand.StartDaemon ? ControlCommands.StartDaemon : ControlCommands.StopDaemon, SyncDaemon = ipvsadm.SyncDaemon },
                    invocation,
                    Refused,
                    cancellationToken).ConfigureAwait(false);
            case IpvsadmCommand.Restore:
                return await RestoreAsync(client, invocation, cancellationToken).ConfigureAwait(false);
            case IpvsadmCommand.Zero:
                return await SimpleAsync(client, new ControlRequest { Command = ControlCommands.Zero, Service = ipvsadm.Service }, invocation, Refused, cancellationToken).ConfigureAwait(false);
            case IpvsadmCommand.List when ipvsadm.Connections:
            {
                var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.Connections, Filter = ipvsadm.Filter }, cancellationToken).ConfigureAwait(false);
                if (!await CheckAsync(response).ConfigureAwait(false))
                {
                    return Refused;
                }

                var rows = response.Connections ?? [];
                if (ipvsadm.Filter is null)
                {
                    await _stdout.WriteAsync(invocation.Json ? ControlSerializer.ToJson(rows) + "\n" : IpvsadmFormatter.Connections(rows, ipvsadm.Format, resolver)).ConfigureAwait(false);
                    return 0;
                }

                // A query: the matching rows, then how many matched of how many, by server and state.
                var counts = response.ConnectionCounts ?? new ConnectionCounts();
                await _stdout.WriteAsync(invocation.Json
                    ? ControlSerializer.ToJson(new ControlResponse { Ok = true, Connections = rows, ConnectionCounts = counts }) + "\n"
                    : IpvsadmFormatter.Connections(rows, ipvsadm.Format, resolver) + HealthFormatter.Counts(counts, rows.Count)).ConfigureAwait(false);
                return 0;
            }

            case IpvsadmCommand.ListLocalAddresses:
            {
                var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.List, Service = ipvsadm.Service }, cancellationToken).ConfigureAwait(false);
                if (!await CheckAsync(response).ConfigureAwait(false))
                {
                    return Refused;
                }

                var listing = response.Listing ?? new IpvsListing();
                await _stdout.WriteAsync(invocation.Json
                    ? ControlSerializer.ToJson(listing) + "\n"
                    : IpvsadmFormatter.LocalAddresses(listing, resolver)).ConfigureAwait(false);
                return 0;
            }

            case IpvsadmCommand.List:
            case IpvsadmCommand.Save:
            {
                var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.List, Service = ipvsadm.Service, Health = ipvsadm.Health || ipvsadm.Weights }, cancellationToken).ConfigureAwait(false);
                if (!await CheckAsync(response).ConfigureAwait(false))
                {
                    // ipvsadm's list_service exits 1 when the service is missing ("No such service").
                    return ipvsadm.Service is not null ? ListFailed : Refused;
                }

                var listing = response.Listing ?? new IpvsListing();
                string text;
                if (invocation.Json)
                {
                    text = ControlSerializer.ToJson(listing) + "\n";
                }
                else if (ipvsadm.Command == IpvsadmCommand.Save)
                {
                    text = IpvsadmFormatter.Save(listing, ipvsadm.Format, resolver);
                }
                else if (ipvsadm.Weights && ipvsadm.Command == IpvsadmCommand.List)
                {
                    text = WeightsFormatter.List(listing, ipvsadm.Format, resolver);
                }
                else if (ipvsadm.Health && ipvsadm.Command == IpvsadmCommand.List)
                {
                    text = HealthFormatter.List(listing, ipvsadm.Format, resolver);
                }
                else if (ipvsadm.Timeouts)
                {
                    text = IpvsadmFormatter.Timeouts(listing.Timeouts);
                }
                else
                {
                    text = IpvsadmFormatter.List(listing, ipvsadm.Format, resolver, singleService: ipvsadm.Service is not null);
                }

                await _stdout.WriteAsync(text).ConfigureAwait(false);
                return 0;
            }

            default:
                return await SimpleAsync(client, new ControlRequest { Command = ControlCommands.Edit, Operations = [ipvsadm.Operation!] }, invocation, Refused, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> RestoreAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        var parser = new IpvsadmParser(_resolver);
        var operations = new List<EditOperation>();
        foreach (var (line, args) in RestoreReader.Read(_stdin))
        {
            IpvsadmInvocation parsed;
            try
            {
                parsed = parser.Parse(args, AdminCommandLine.Program);
            }
            catch (IpvsadmUsageException ex)
            {
                await _stderr.WriteLineAsync($"line {line}: {ex.Message}").ConfigureAwait(false);
                return ex.ExitCode;
            }

            if (parsed.Operation is not { } operation)
            {
                await _stderr.WriteLineAsync($"line {line}: {string.Join(' ', args)}: only -A, -E, -D, -C, -a, -e, -d, -P, -Q and --set may appear in a restore file").ConfigureAwait(false);
                return 2;
            }

            operations.Add(operation with { Line = line });
        }

        if (operations.Count == 0)
        {
            return 0;
        }

        return await SimpleAsync(client, new ControlRequest { Command = ControlCommands.Edit, Operations = operations }, invocation, Refused, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> ReloadAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.Reload }, cancellationToken).ConfigureAwait(false);
        if (response.Reload is { } report)
        {
            await (report.Applied ? _stdout : _stderr).WriteAsync(invocation.Json ? ControlSerializer.ToJson(report) + "\n" : StatusFormatter.Reload(report)).ConfigureAwait(false);
            return report.Applied ? 0 : 1;
        }

        return await CheckAsync(response).ConfigureAwait(false) ? 0 : 1;
    }

    private async Task<int> StatusAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.Status }, cancellationToken).ConfigureAwait(false);
        if (!await CheckAsync(response).ConfigureAwait(false) || response.Status is not { } status)
        {
            return 1;
        }

        await _stdout.WriteAsync(invocation.Json ? ControlSerializer.ToJson(status) + "\n" : StatusFormatter.Status(status)).ConfigureAwait(false);
        return 0;
    }

    private async Task<int> ExportAsync(ControlClient client, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.ExportYaml }, cancellationToken).ConfigureAwait(false);
        if (!await CheckAsync(response).ConfigureAwait(false))
        {
            return 1;
        }

        await _stdout.WriteAsync(response.Yaml ?? "").ConfigureAwait(false);
        return 0;
    }

    private async Task<int> ImportAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = invocation.ImportFile == "-" ? await _stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : await File.ReadAllTextAsync(invocation.ImportFile!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await _stderr.WriteLineAsync($"{AdminCommandLine.Program}: cannot read {invocation.ImportFile}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        string? marks = null;
        try
        {
            marks = invocation.ImportMarksFile is { } marksFile ? await File.ReadAllTextAsync(marksFile, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await _stderr.WriteLineAsync($"{AdminCommandLine.Program}: cannot read {invocation.ImportMarksFile}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var (director, directorNote) = await DirectorForImportAsync(client, invocation, cancellationToken).ConfigureAwait(false);
        if (director is null)
        {
            await _stderr.WriteLineAsync($"{AdminCommandLine.Program}: {directorNote}").ConfigureAwait(false);
            return 2;
        }

        var result = ConfigImporter.Import(text, director, _resolver, marks);
        if (directorNote is not null)
        {
            result = result with { Notes = [new ImportNote(null, ImportNoteKind.Adjusted, directorNote), .. result.Notes] };
        }

        if (!invocation.ImportCheckOnly)
        {
            await _stdout.WriteAsync(result.ToYaml(invocation.ImportFile == "-" ? "standard input" : invocation.ImportFile!)).ConfigureAwait(false);
        }

        await _stderr.WriteLineAsync($"imported {result.Config.VirtualServices.Length} virtual service(s) with {result.Config.VirtualServices.Sum(s => s.RealServers.Length)} real server(s) from {result.Format} format").ConfigureAwait(false);
        foreach (var note in result.Notes)
        {
            await _stderr.WriteLineAsync("  " + note).ConfigureAwait(false);
        }

        foreach (var error in result.ValidationErrors)
        {
            await _stderr.WriteLineAsync("  lvsnetd would refuse: " + error).ConfigureAwait(false);
        }

        if (!result.Complete)
        {
            await _stderr.WriteLineAsync($"{AdminCommandLine.Program}: import incomplete: {result.Errors.Count()} item(s) not mapped, {result.ValidationErrors.Count} validation error(s)").ConfigureAwait(false);
            return ImportIncomplete;
        }

        return 0;
    }

    private static async Task<(DirectorConfig? Director, string? Note)> DirectorForImportAsync(ControlClient client, AdminInvocation invocation, CancellationToken cancellationToken)
    {
        if (invocation.DirectorInterface is not null || invocation.DirectorAddress is not null)
        {
            if (invocation.DirectorInterface is null || invocation.DirectorAddress is null)
            {
                return (null, "import needs both --interface and --address (or neither, to take them from the running lvsnetd)");
            }

            try
            {
                var probe = LvsConfigReader.Parse($"director:\n  interface: {ConfigYamlWriter.Scalar(invocation.DirectorInterface)}\n  address: {ConfigYamlWriter.Scalar(invocation.DirectorAddress)}\n", "--address");
                return (probe.Director, null);
            }
            catch (ConfigException ex)
            {
                return (null, ex.Errors.Count > 0 ? ex.Errors[0].ToString() : ex.Message);
            }
        }

        try
        {
            var response = await client.SendAsync(new ControlRequest { Command = ControlCommands.ExportYaml }, cancellationToken).ConfigureAwait(false);
            if (response is { Ok: true, Yaml: { } yaml })
            {
                return (LvsConfigReader.Parse(yaml, "lvsnetd").Director, "director section taken from the running lvsnetd");
            }
        }
        catch (Exception ex) when (ex is ControlConnectionException or ConfigException)
        {
            // Fall through to the placeholder.
        }

        return (new DirectorConfig { Interface = "eth0", Address = 0xC0000202, PrefixLength = 24 }, "director section is a placeholder (eth0, 192.0.2.2/24): set it, or pass --interface and --address");
    }

    private async Task<int> SimpleAsync(ControlClient client, ControlRequest request, AdminInvocation invocation, int failure, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await CheckAsync(response).ConfigureAwait(false))
        {
            return failure;
        }

        if (invocation.Json)
        {
            await _stdout.WriteLineAsync(ControlSerializer.ToJson(response)).ConfigureAwait(false);
        }
        else if (response.Message is { } message && request.Command != ControlCommands.Edit && request.Command != ControlCommands.Zero)
        {
            await _stdout.WriteLineAsync(message).ConfigureAwait(false);
        }

        return 0;
    }

    private async Task<bool> CheckAsync(ControlResponse response)
    {
        if (response.Ok)
        {
            return true;
        }

        if (response.Error is { } error)
        {
            await _stderr.WriteLineAsync(error).ConfigureAwait(false);
        }

        foreach (var item in response.Errors ?? [])
        {
            await _stderr.WriteLineAsync("  " + item).ConfigureAwait(false);
        }

        return false;
    }

    private sealed class BatchTerminal : ITopTerminal
    {
        public int Width => 0;

        public int Height => 0;

        public bool Interactive => false;

        public bool TryReadKey(out char key)
        {
            key = '\0';
            return false;
        }
    }
}

using LvsNet.Control.Editing;
using LvsNet.Packets;
using static LvsNet.Cli.Ipvsadm.ParsedCommands;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>Turns a checked parse state into the invocation: a listing request or an edit operation.</summary>
public sealed partial class IpvsadmParser
{
    private static IpvsadmInvocation Build(IpvsadmParseState s, TimeoutSettings? timeouts)
    {
        var service = s.FirewallMark != 0 ? ServiceSelector.ForMark(s.FirewallMark, ipv6: s.Address6 is not null)
            : s.Address6 is { } address6 ? new ServiceSelector(s.Protocol, address6.ToString(), s.Port)
            : s.Address is { } address ? new ServiceSelector(s.Protocol, Ipv4Address.Format(address), s.Port) : null;
        var serverAddress = s.ServerAddress6 is { } server6 ? server6.ToString() : Ipv4Address.Format(s.ServerAddress);
        return s.Command switch
        {
            List => new IpvsadmInvocation
            {
                Command = IpvsadmCommand.List,
                Format = s.Format,
                Service = service,
                Connections = s.Has(Connection),
                Timeouts = s.Has(Timeout),
                Daemons = s.Has(Daemon),
                Filter = s.Filter is null || s.Has(Connection) ? s.Filter : throw IpvsadmErrors.Fail("--client, --server, --service and --limit query connections: use them with -c"),
            },
            Save => new IpvsadmInvocation { Command = IpvsadmCommand.Save, Format = s.Format | ListFormat.Rule },
            Restore => new IpvsadmInvocation { Command = IpvsadmCommand.Restore },
            Zero => new IpvsadmInvocation { Command = IpvsadmCommand.Zero, Service = service },
            Flush => EditOf(IpvsadmCommand.Clear, new EditOperation { Kind = EditKind.Clear }),
            Set => EditOf(IpvsadmCommand.SetTimeouts, new EditOperation { Kind = EditKind.SetTimeouts, Timeouts = timeouts }),
            Delete => EditOf(IpvsadmCommand.DeleteService, new EditOperation { Kind = EditKind.DeleteService, Service = service }),
            Add or Edit => EditOf(
                s.Command == Add ? IpvsadmCommand.AddService : IpvsadmCommand.EditService,
                new EditOperation
                {
                    Kind = s.Command == Add ? EditKind.AddService : EditKind.EditService,
                    Service = service,
                    Scheduler = s.Scheduler ?? DefaultScheduler,
                    PersistenceTimeoutSeconds = s.PersistenceSeconds,
                    PersistenceNetmask = s.Netmask,
                    OnePacketScheduling = s.Ops,
                    SchedulerFlags = s.SchedFlags,
                    Toa = s.Toa,
                }),
            GetLocalAddresses => new IpvsadmInvocation { Command = IpvsadmCommand.ListLocalAddresses, Service = service },
            AddLocalAddress or DeleteLocalAddress => EditOf(
                s.Command == AddLocalAddress ? IpvsadmCommand.AddLocalAddress : IpvsadmCommand.DeleteLocalAddress,
                new EditOperation
                {
                    Kind = s.Command == AddLocalAddress ? EditKind.AddLocalAddress : EditKind.DeleteLocalAddress,
                    Service = service,
                    LocalAddress = s.LocalAddress,
                }),
            DeleteServer => EditOf(IpvsadmCommand.DeleteServer, new EditOperation
            {
                Kind = EditKind.DeleteServer,
                Service = service,
                ServerAddress = serverAddress,
                ServerPort = s.ServerPort,
            }),
            AddServer or EditServer => EditOf(
                s.Command == AddServer ? IpvsadmCommand.AddServer : IpvsadmCommand.EditServer,
                new EditOperation
                {
                    Kind = s.Command == AddServer ? EditKind.AddServer : EditKind.EditServer,
                    Service = service,
                    ServerAddress = serverAddress,
                    ServerPort = s.ServerPort,
                    Method = s.Method,
                    Weight = s.Weight,
                    UpperThreshold = s.UpperThreshold,
                    LowerThreshold = s.LowerThreshold,
                }),

            StartDaemon or StopDaemon => new IpvsadmInvocation
            {
                Command = s.Command == StartDaemon ? IpvsadmCommand.StartDaemon : IpvsadmCommand.StopDaemon,
                SyncDaemon = new LvsNet.Control.Protocol.SyncDaemonInfo
                {
                    State = s.DaemonState!,
                    Interface = s.McastInterface,
                    SyncId = s.SyncId ?? 0,
                    MaxLength = s.SyncMaxLength,
                    Group = s.McastGroup,
                    Port = s.McastPort,
                    Ttl = s.McastTtl,
                },
            },

            _ => throw IpvsadmErrors.Unsupported(IpvsadmOptionTable.CommandName(s.Command), "this command"),
        };

        static IpvsadmInvocation EditOf(IpvsadmCommand command, EditOperation operation) => new() { Command = command, Operation = operation };
    }
}

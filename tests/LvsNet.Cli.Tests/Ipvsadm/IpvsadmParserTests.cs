using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

public class IpvsadmParserTests
{
    private static readonly IpvsadmParser Parser = new(new FakeNameResolver());

    private static IpvsadmInvocation Parse(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static IpvsadmUsageException Fails(string line) => Assert.Throws<IpvsadmUsageException>(() => Parse(line));

    [Fact]
    public void Parse_NoArguments_ListsLikeIpvsadm()
    {
        var invocation = Parser.Parse([]);
        Assert.Equal(IpvsadmCommand.List, invocation.Command);
        Assert.Equal(ListFormat.None, invocation.Format);
    }

    [Theory]
    [InlineData("-L -n", ListFormat.Numeric)]
    [InlineData("-Ln", ListFormat.Numeric)]
    [InlineData("-ln --stats", ListFormat.Numeric | ListFormat.Stats)]
    [InlineData("--list --numeric --rate --exact", ListFormat.Numeric | ListFormat.Rate | ListFormat.Exact)]
    [InlineData("-L -n --thresholds --nosort", ListFormat.Numeric | ListFormat.Thresholds | ListFormat.NoSort)]
    [InlineData("-L --persistent-conn --sort", ListFormat.PersistentConnections)]
    [InlineData("-n -L", ListFormat.Numeric)]
    [InlineData("-L -X --tun-info", ListFormat.Exact | ListFormat.TunnelInfo)]
    public void Parse_ListOptions_SetTheFormat(string line, ListFormat expected)
    {
        var invocation = Parse(line);
        Assert.Equal(IpvsadmCommand.List, invocation.Command);
        Assert.Equal(expected, invocation.Format);
    }

    [Fact]
    public void Parse_ListConnectionsAndTimeouts_AreFlags()
    {
        Assert.True(Parse("-Lnc").Connections);
        Assert.True(Parse("-L --timeout").Timeouts);
        var one = Parse("-L -n -t 10.0.0.100:80");
        Assert.Equal(new ServiceSelector("tcp", "10.0.0.100", 80), one.Service);
    }

    [Fact]
    public void Parse_AddService_DefaultsToWlcAndNoPersistence()
    {
        var op = Parse("-A -t 10.0.0.100:80").Operation!;
        Assert.Equal(EditKind.AddService, op.Kind);
        Assert.Equal(new ServiceSelector("tcp", "10.0.0.100", 80), op.Service);
        Assert.Equal("wlc", op.Scheduler);
        Assert.Null(op.PersistenceTimeoutSeconds);
        Assert.Null(op.PersistenceNetmask);
        Assert.False(op.OnePacketScheduling);
    }

    [Theory]
    [InlineData("-A -t 10.0.0.100:80 -p", 360)]
    [InlineData("-A -t 10.0.0.100:80 -p -s rr", 360)]
    [InlineData("-A -t 10.0.0.100:80 -p 600", 600)]
    [InlineData("-A -t 10.0.0.100:80 -p600", 600)]
    [InlineData("-A -t 10.0.0.100:80 --persistent=60", 60)]
    [InlineData("-A -t 10.0.0.100:80 --persistent", 360)]
    [InlineData("-A -t 10.0.0.100 -p", 360)]
    public void Parse_Persistent_OptionalValueDefaultsTo360(string line, int seconds) =>
        Assert.Equal(seconds, Parse(line).Operation!.PersistenceTimeoutSeconds);

    [Fact]
    public void Parse_EditService_CarriesEveryServiceOption()
    {
        var op = Parse("-E -u 10.0.0.100:53 -s sh -b sh-port,sh-fallback -o -p 30 -M 255.255.255.0").Operation!;
        Assert.Equal(EditKind.EditService, op.Kind);
        Assert.Equal("udp", op.Service!.Protocol);
        Assert.Equal("sh", op.Scheduler);
        Assert.Equal(["sh-port", "sh-fallback"], op.SchedulerFlags);
        Assert.True(op.OnePacketScheduling);
        Assert.Equal(30, op.PersistenceTimeoutSeconds);
        Assert.Equal("255.255.255.0", op.PersistenceNetmask);
    }

    [Fact]
    public void Parse_AddServer_DefaultsToDrWeightOneAndTheVirtualPort()
    {
        var op = Parse("-a -t 10.0.0.100:80 -r 10.0.0.11").Operation!;
        Assert.Equal(EditKind.AddServer, op.Kind);
        Assert.Equal("10.0.0.11", op.ServerAddress);
        Assert.Equal(80, op.ServerPort);
        Assert.Equal("dr", op.Method);
        Assert.Null(op.Weight);
    }

    [Theory]
    [InlineData("-g", "dr", 80)]
    [InlineData("-i", "tun", 80)]
    [InlineData("-m", "nat", 8080)]
    [InlineData("--masquerading", "nat", 8080)]
    [InlineData("--fullnat", "fullnat", 8080)]
    public void Parse_ServerPort_ForcedToVirtualPortForDrAndTunAsIpvsadmDoes(string method, string expected, int port)
    {
        var op = Parse($"-a -t 10.0.0.100:80 -r 10.0.0.11:8080 {method} -w 3").Operation!;
        Assert.Equal(expected, op.Method);
        Assert.Equal(port, op.ServerPort);
        Assert.Equal(3, op.Weight);
    }

    [Fact]
    public void Parse_EditServerWithThresholds_KeepsThem()
    {
        var op = Parse("-e -t 10.0.0.100:80 -r 10.0.0.11:80 -w 0 -x 100 -y 50").Operation!;
        Assert.Equal(EditKind.EditServer, op.Kind);
        Assert.Equal(0, op.Weight);
        Assert.Equal(100, op.UpperThreshold);
        Assert.Equal(50, op.LowerThreshold);
    }

    [Fact]
    public void Parse_DeleteServer_KeepsTheGivenPort()
    {
        var op = Parse("-d -t 10.0.0.100:80 -r 10.0.0.11:8080").Operation!;
        Assert.Equal(EditKind.DeleteServer, op.Kind);
        Assert.Equal(8080, op.ServerPort);
    }

    [Fact]
    public void Parse_Set_ReadsThreeTimeouts()
    {
        var op = Parse("--set 900 0 300").Operation!;
        Assert.Equal(EditKind.SetTimeouts, op.Kind);
        Assert.Equal(new TimeoutSettings(900, 0, 300), op.Timeouts);
    }

    [Fact]
    public void Parse_ClearSaveRestoreZero_AreRecognised()
    {
        Assert.Equal(EditKind.Clear, Parse("-C").Operation!.Kind);
        Assert.Equal(IpvsadmCommand.Save, Parse("-S -n").Command);
        Assert.Equal(ListFormat.Rule | ListFormat.Numeric, Parse("-S -n").Format);
        Assert.Equal(IpvsadmCommand.Restore, Parse("-R").Command);
        Assert.Null(Parse("-Z").Service);
        Assert.Equal(80, Parse("-Z -t 10.0.0.100:80").Service!.Port);
        Assert.Equal(IpvsadmCommand.Help, Parse("-h").Command);
        Assert.Equal(IpvsadmCommand.Version, Parse("--version").Command);
    }

    [Fact]
    public void Parse_HostAndServiceNames_AreResolved()
    {
        var op = Parse("-a -t www.example.test:http -r backend.example.test").Operation!;
        Assert.Equal("10.0.0.100", op.Service!.Address);
        Assert.Equal(80, op.Service.Port);
        Assert.Equal("10.0.0.11", op.ServerAddress);
    }

    [Theory]
    [InlineData("-A -t 10.0.0.100", "Zero port specified for non-persistent service", 2)]
    [InlineData("-A -t 10.0.0.100:80 -o", "One-Packet Scheduling is only for UDP virtual services", 2)]
    [InlineData("-A -t 10.0.0.100:80 -w 3", "Illegal 'weight' option with the 'add-service' command", 2)]
    [InlineData("-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command", 2)]
    [InlineData("-a -t 10.0.0.100:80", "You need to supply the 'real-server' option for the 'add-server' command", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -w 70000", "illegal weight specified", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -w x", "illegal weight specified", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -x -1", "illegal u_threshold specified", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -y z", "illegal l_threshold specified", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -m -g", "multiple 'forwarding-method' options specified", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r nowhere.invalid", "illegal real server address[:port] specified", 2)]
    [InlineData("-A -t 12345 -s rr", "illegal virtual server address[:port] specified", 2)]
    [InlineData("-A -t 10.0.0.100:99999", "illegal virtual server address[:port] specified", 2)]
    [InlineData("-A -E -t 10.0.0.100:80", "multiple commands specified", 2)]
    [InlineData("-A -t 10.0.0.100:80 -p 0", "invalid timeout value `0' specified", 2)]
    [InlineData("-A -t 10.0.0.100:80 -p 2678401", "invalid timeout value `2678401' specified", 2)]
    [InlineData("-A -t 10.0.0.100:80 -M 255.0.255.0", "illegal virtual server persistent mask specified", 2)]
    [InlineData("-A -t 10.0.0.100:80 -s rr -b sh-port", "incompatible scheduler flag `sh-port'", 2)]
    [InlineData("-A -t 10.0.0.100:80 -b mh-port", "incompatible scheduler flag `mh-port'", 2)]
    [InlineData("-A -t 10.0.0.100:80 -s sh -b sh-bogus", "invalid scheduler flag `sh-bogus'", 2)]
    [InlineData("--set 900 120", "--set option requires 3 timeout values", 2)]
    [InlineData("--set 900 120 x", "invalid timeout value `x' specified", 2)]
    [InlineData("-L extra", "unexpected argument extra", 2)]
    [InlineData("-L -c --stats", "options conflicts in the list command", 2)]
    [InlineData("-L --timeout --persistent-conn", "options conflicts in the list command", 2)]
    [InlineData("-L -c -t 10.0.0.100:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command", 2)]
    [InlineData("-D -t 10.0.0.100:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command", 2)]
    [InlineData("-C -n", "Illegal 'numeric' option with the 'flush' command", 2)]
    [InlineData("-S -c", "Illegal 'connection' option with the 'save' command", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 --tun-type gue", "Tunnel options conflict with forward method", 2)]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type", 2)]
    [InlineData("-L --frobnicate", "--frobnicate: unknown option", 255)]
    [InlineData("-L -q", "-q: unknown option", 255)]
    [InlineData("-A -t", "-t: missing argument", 255)]
    [InlineData("-n", "Try `lvsnetadm -h' or 'lvsnetadm --help' for more information.", 255)]
    public void Parse_BadLine_FailsWithIpvsadmsMessageAndStatus(string line, string message, int exitCode)
    {
        var error = Fails(line);
        Assert.Equal(message, error.Message);
        Assert.Equal(exitCode, error.ExitCode);
    }

    [Theory]
    [InlineData("-A --sctp-service 10.0.0.100:80", "--sctp-service: LvsNet does not support SCTP services yet")]
    [InlineData("-A -t 10.0.0.100:80 --pe sip -p", "--pe: LvsNet does not support persistence engines yet")]
    [InlineData("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type gre", "--tun-type gre: LvsNet does not support GUE and GRE tunnels yet")]
    public void Parse_FeatureLvsNetLacks_IsRefusedClearly(string line, string message)
    {
        var error = Fails(line);
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.ExitCode);
    }

    [Fact]
    public void Parse_TunnelIpip_IsAccepted()
    {
        var op = Parse("-a -t 10.0.0.100:80 -r 10.0.0.11 -i --tun-type ipip").Operation!;
        Assert.Equal("tun", op.Method);
    }

    [Fact]
    public void Parse_StartDaemon_CarriesEveryOption()
    {
        var invocation = Parse("--start-daemon backup --mcast-interface eth1 --syncid 9 --sync-maxlen 1200 --mcast-group 224.0.0.82 --mcast-port 8849 --mcast-ttl 2");
        Assert.Equal(IpvsadmCommand.StartDaemon, invocation.Command);
        var daemon = invocation.SyncDaemon!;
        Assert.Equal("backup", daemon.State);
        Assert.Equal("eth1", daemon.Interface);
        Assert.Equal(9, daemon.SyncId);
        Assert.Equal(1200, daemon.MaxLength);
        Assert.Equal("224.0.0.82", daemon.Group);
        Assert.Equal(8849, daemon.Port);
        Assert.Equal(2, daemon.Ttl);
    }

    [Fact]
    public void Parse_StartDaemon_DefaultsAreLeftToTheDaemon()
    {
        var daemon = Parse("--start-daemon master").SyncDaemon!;
        Assert.Equal("master", daemon.State);
        Assert.Null(daemon.Interface);
        Assert.Equal(0, daemon.SyncId);
        Assert.Null(daemon.MaxLength);
        Assert.Null(daemon.Group);
        Assert.Equal(IpvsadmCommand.StopDaemon, Parse("--stop-daemon master").Command);
    }

    [Theory]
    [InlineData("--start-daemon primary", "illegal start-daemon parameter specified")]
    [InlineData("--stop-daemon primary", "illegal start_daemon specified")]
    [InlineData("--start-daemon master --syncid 256", "illegal syncid specified")]
    [InlineData("--start-daemon master --mcast-group 10.0.0.1", "invalid IPv4 mcast-group `10.0.0.1'")]
    [InlineData("--start-daemon master --mcast-port 0", "illegal mcast-port specified")]
    [InlineData("--start-daemon master --mcast-ttl 256", "illegal mcast-ttl specified")]
    [InlineData("--stop-daemon master --mcast-ttl 2", "Illegal 'mcast-ttl' option with the 'stop-daemon' command")]
    public void Parse_BadDaemonLine_FailsAsIpvsadm(string line, string message) => Assert.Equal(message, Fails(line).Message);

    [Fact]
    public void Parse_ListDaemon_IsAcceptedAsIpvsadmDoes()
    {
        var invocation = Parse("-L --daemon");
        Assert.Equal(IpvsadmCommand.List, invocation.Command);
        Assert.True(invocation.Daemons);
        Assert.Equal("options conflicts in the list command", Fails("-L --daemon --stats").Message);
        Assert.Equal("The option 'daemon' conflicts with the 'timeout' option in the 'list' command", Fails("-L --daemon --timeout").Message);
    }

    [Theory]
    [InlineData("-A -t :80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -u :53", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t : -p", "illegal virtual server address[:port] specified")]
    [InlineData("-a -t 10.0.0.100:80 -r :80", "illegal real server address[:port] specified")]
    [InlineData("-a -t 10.0.0.100:80 -r :", "illegal real server address[:port] specified")]
    [InlineData("-d -t 10.0.0.100:80 -r :80", "illegal real server address[:port] specified")]
    public void Parse_EmptyHost_IsRefusedAsIpvsadmDoes(string line, string message)
    {
        var error = Fails(line);
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.ExitCode);
    }

    [Theory]
    [InlineData("255.255.0", "255.255.0.0")]
    [InlineData("0xffffff00", "255.255.255.0")]
    [InlineData("255.0xff.0377.0", "255.255.255.0")]
    public void Parse_Netmask_TakesInetAtonForms(string mask, string expected) => Assert.Equal(expected, Parse($"-A -t 10.0.0.100:80 -p -M {mask}").Operation!.PersistenceNetmask);

    [Fact]
    public void Parse_Netmask_InetAtonLastPartFillsTheRest()
    {
        // "255.255.255" is 255.255.0.255 by inet_aton's rule (the last part fills two bytes): not a mask.
        Assert.Equal("illegal virtual server persistent mask specified", Fails("-A -t 10.0.0.100:80 -p -M 255.255.255").Message);
    }

    [Fact]
    public void Parse_ServiceAddress_TakesInetAtonForms()
    {
        // inet_aton("10.100") is 10.0.0.100, as ipvsadm reads it.
        Assert.Equal("10.0.0.100", Parse("-A -t 10.100:80").Operation!.Service!.Address);
        Assert.Equal("10.0.0.11", Parse("-a -t 10.0.0.100:80 -r 10.11").Operation!.ServerAddress);
    }

    [Fact]
    public void Parse_VersionAndHelp_LongAndShort()
    {
        Assert.Equal(IpvsadmCommand.Version, Parse("-v").Command);
        Assert.Equal(IpvsadmCommand.Help, Parse("--help").Command);
    }
}

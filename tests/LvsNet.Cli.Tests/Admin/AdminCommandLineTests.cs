using LvsNet.Cli.Admin;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Protocol;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Admin;

public class AdminCommandLineTests
{
    private static AdminInvocation Parse(params string[] args) => AdminCommandLine.Parse(args, null, new FakeNameResolver());

    [Fact]
    public void Parse_GlobalOptions_AnywhereOnTheLine()
    {
        var invocation = Parse("-L", "--json", "-n", "--socket", "/tmp/x.sock");
        Assert.Equal(AdminVerb.Ipvsadm, invocation.Verb);
        Assert.True(invocation.Json);
        Assert.Equal("/tmp/x.sock", invocation.SocketPath);
        Assert.Equal(ListFormat.Numeric, invocation.Ipvsadm!.Format);
        Assert.Equal("/tmp/y.sock", Parse("--socket=/tmp/y.sock", "status").SocketPath);
    }

    [Fact]
    public void Parse_DefaultSocket_FromTheEnvironmentOrTheStandardPath()
    {
        Assert.Equal(ControlProtocol.DefaultSocketPath, Parse("status").SocketPath);
        Assert.Equal("/run/other.sock", AdminCommandLine.Parse(["status"], "/run/other.sock").SocketPath);
    }

    [Fact]
    public void Parse_Verbs_AreRecognised()
    {
        Assert.Equal(AdminVerb.Reload, Parse("reload").Verb);
        Assert.Equal(AdminVerb.Status, Parse("status").Verb);
        Assert.Equal(AdminVerb.ExportYaml, Parse("export-yaml").Verb);
        Assert.Equal("Debug", Parse("log-level", "Debug").Level);
        var import = Parse("import", "keepalived.conf", "--interface", "eth1", "--address", "10.1.0.2/24");
        Assert.Equal(("keepalived.conf", "eth1", "10.1.0.2/24"), (import.ImportFile, import.DirectorInterface, import.DirectorAddress));
    }

    [Theory]
    [InlineData("log-level")]
    [InlineData("import")]
    [InlineData("status", "now")]
    [InlineData("import", "a", "b")]
    public void Parse_BadVerbArguments_Fail(params string[] args) =>
        Assert.Throws<IpvsadmUsageException>(() => Parse(args));

    [Fact]
    public void Usage_ListsTheIpvsadmCommandsAndTheVerbs()
    {
        var usage = AdminCommandLine.Usage("1.0.0");
        foreach (var word in new[] { "--add-service", "--restore", "--stats", "--fullnat", "reload", "log-level LEVEL", "export-yaml", "import FILE", "--json" })
        {
            Assert.Contains(word, usage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("role", "master", "master")]
    [InlineData("vrrp", "BACKUP", "backup")]
    [InlineData("role", "Fault", "fault")]
    public void Parse_Role_TakesKeepalivedsStateInAnyCase(string verb, string state, string expected)
    {
        var invocation = Parse(verb, state);
        Assert.Equal(AdminVerb.Role, invocation.Verb);
        Assert.Equal(expected, invocation.Role);
    }

    [Theory]
    [InlineData("role")]
    [InlineData("role", "primary")]
    [InlineData("role", "master", "now")]
    public void Parse_BadRole_IsRefused(params string[] args) =>
        Assert.Equal("role needs one role: master, backup or fault", Assert.Throws<IpvsadmUsageException>(() => Parse(args)).Message);

    [Theory]
    [InlineData(null, "drain")]
    [InlineData(90.0, "drain", "--timeout", "90s")]
    [InlineData(300.0, "drain", "--timeout=5m")]
    [InlineData(0.0, "drain", "--timeout", "0")]
    public void Parse_Drain_TakesAnOptionalTimeout(double? seconds, params string[] args)
    {
        var invocation = Parse(args);
        Assert.Equal(AdminVerb.Drain, invocation.Verb);
        Assert.Equal(seconds, invocation.DrainTimeout?.TotalSeconds);
    }

    [Theory]
    [InlineData("drain", "now")]
    [InlineData("drain", "--timeout")]
    [InlineData("drain", "--timeout", "soon")]
    [InlineData("drain", "--timeout", "2d")]
    [InlineData("undrain", "all")]
    public void Parse_BadDrain_IsRefused(params string[] args) => Assert.Throws<IpvsadmUsageException>(() => Parse(args));

    [Fact]
    public void Parse_Undrain() => Assert.Equal(AdminVerb.Undrain, Parse("undrain").Verb);
}

using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Core.Tests;

public class YamlSyntaxErrorTests
{
    [Fact]
    public void Parse_TabOnLine8_ReportsLine8ColumnAndPath()
    {
        // Line 8 is indented with a tab (YAML allows only spaces there).
        var yaml = "director:\n" +
            "  interface: eth0\n" +
            "  address: 10.0.0.2/24\n" +
            "virtual_services:\n" +
            "  - address: 10.0.0.100\n" +
            "    port: 80\n" +
            "    real_servers:\n" +
            "\t- address: 10.0.0.11\n";
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml, "lvsnet.yaml"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(8, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Equal("virtual_services[0].real_servers", error.Path);
        Assert.StartsWith("virtual_services[0].real_servers (line 8, column 1): not valid YAML: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("tab", error.Message, StringComparison.Ordinal);

        // The same error two lines further down is reported there.
        var lower = yaml.Replace("\t- address: 10.0.0.11\n", "    - address: 10.0.0.11\n      port: 80\n\t  weight: 2\n", StringComparison.Ordinal);
        var moved = Assert.Single(Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(lower)).Errors);
        Assert.Equal((10, 1), (moved.Line, moved.Column));
    }

    [Fact]
    public void Parse_UnclosedFlowSequence_ReportsWhereAndInWhichKey()
    {
        var yaml = "director:\n" +
            "  interface: eth0\n" +
            "  address: 10.0.0.2/24\n" +
            "virtual_services:\n" +
            "  - address: 10.0.0.100\n" +
            "    port: 80\n" +
            "    scheduler_flags: [sh-port, \n" +
            "    real_servers: []\n";
        var error = Assert.Single(Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors);
        Assert.Equal(7, error.Line);
        Assert.NotNull(error.Column);
        Assert.Equal("virtual_services[0].scheduler_flags[1]", error.Path);
    }

    [Fact]
    public void Parse_ErrorAtTheTop_NamesTheDocument()
    {
        var error = Assert.Single(Assert.Throws<ConfigException>(() => LvsConfigReader.Parse("]\n")).Errors);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("", error.Path);
        Assert.StartsWith("(document) (line 1, column 1): not valid YAML", error.ToString(), StringComparison.Ordinal);
    }
}

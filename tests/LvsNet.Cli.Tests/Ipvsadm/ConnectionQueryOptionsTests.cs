using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Protocol;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

public class ConnectionQueryOptionsTests
{
    private static readonly IpvsadmParser Parser = new(new FakeNameResolver());

    private static IpvsadmInvocation Parse(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void ListConnections_WithoutQueryOptions_HasNoFilter()
    {
        var invocation = Parse("-L -n -c");
        Assert.True(invocation.Connections);
        Assert.Null(invocation.Filter);
    }

    [Fact]
    public void QueryOptions_BuildOneFilter()
    {
        var invocation = Parse("-L -n -c --client 192.0.2.0/24:40000 --server 10.0.0.11:8080 --service udp:10.0.0.100:53 --limit 5");
        Assert.Equal(
            new ConnectionFilter
            {
                ClientAddress = "192.0.2.0",
                ClientPrefixLength = 24,
                ClientPort = 40000,
                ServerAddress = "10.0.0.11",
                ServerPort = 8080,
                ServiceAddress = "10.0.0.100",
                ServicePort = 53,
                Protocol = "udp",
                Limit = 5,
            },
            invocation.Filter);
    }

    [Fact]
    public void QueryOptions_AddressOnly_LeavesPortsOpen()
    {
        var filter = Parse("-Lnc --client 192.0.2.7").Filter!;
        Assert.Equal("192.0.2.7", filter.ClientAddress);
        Assert.Equal(32, filter.ClientPrefixLength);
        Assert.Equal(0, filter.ClientPort);
        Assert.Null(filter.Protocol);
    }

    [Theory]
    [InlineData("-L -n --client 192.0.2.7", "use them with -c")]
    [InlineData("-L -n -c --client 192.0.2.300", "illegal client address")]
    [InlineData("-L -n -c --client 192.0.2.0/40", "illegal client prefix length")]
    [InlineData("-L -n -c --server 10.0.0.11:0", "illegal server port")]
    [InlineData("-L -n -c --limit -1", "illegal limit")]
    [InlineData("-A -t 10.0.0.100:80 --client 192.0.2.7", "Illegal 'client' option")]
    public void QueryOptions_Misused_AreRefused(string line, string message)
    {
        var error = Assert.Throws<IpvsadmUsageException>(() => Parse(line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_IsAListFormat()
    {
        Assert.True(Parse("-L -n --health").Health);
        Assert.False(Parse("-L -n").Health);
        Assert.Throws<IpvsadmUsageException>(() => Parse("-a -t 10.0.0.100:80 -r 10.0.0.11 --health"));
    }

    [Fact]
    public void Counts_SayHowManyMatchedOfHowMany_ByServerAndState()
    {
        var counts = new ConnectionCounts
        {
            Scanned = 1000,
            Matched = 3,
            ByServer = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["10.0.0.11:80"] = 2, ["10.0.0.12:80"] = 1 },
            ByState = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["ESTABLISHED"] = 1, ["FIN_WAIT"] = 2 },
        };
        Assert.Equal(
            "3 of 1000 entries matched, 1 listed (--limit)\nby server: 10.0.0.11:80 2, 10.0.0.12:80 1\nby state: ESTABLISHED 1, FIN_WAIT 2\n",
            HealthFormatter.Counts(counts, 1));
        Assert.Equal("0 of 7 entries matched\n", HealthFormatter.Counts(new ConnectionCounts { Scanned = 7 }, 0));
    }
}

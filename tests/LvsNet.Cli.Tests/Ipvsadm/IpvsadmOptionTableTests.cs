using LvsNet.Cli.Admin;
using LvsNet.Cli.Ipvsadm;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

public class IpvsadmOptionTableTests
{
    [Fact]
    public void Rows_HaveUniqueShortNamesAndOneMeaningPerLongName()
    {
        var shorts = IpvsadmOptionTable.Rows.Where(r => r.Short != '\0').Select(r => r.Short).ToList();
        Assert.Equal(shorts.Count, shorts.Distinct().Count());

        // Only -L and -l share a long name, and they select the same command.
        foreach (var group in IpvsadmOptionTable.Rows.GroupBy(r => r.Long).Where(g => g.Count() > 1))
        {
            Assert.Equal("list", group.Key);
            Assert.Single(group.Select(r => r.Command).Distinct());
        }
    }

    [Fact]
    public void Rows_AreACommandOrAnOptionNeverBoth()
    {
        foreach (var row in IpvsadmOptionTable.Rows)
        {
            Assert.False(row.Command is not null && row.Rule is not null, row.Long);
        }
    }

    [Fact]
    public void Rules_FollowIpvsadmsOptOrder()
    {
        // ipvsadm.c's optnames[] order: the first errors of a line with several faults depend on it.
        string[] ipvsadmOrder = ["numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
            "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon", "stats", "rate",
            "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops"];
        var names = IpvsadmOptionTable.Rules.Select(r => r.Name).ToList();
        Assert.Equal(ipvsadmOrder, names.Take(ipvsadmOrder.Length));
    }

    [Theory]
    [InlineData("-A -t 10.0.0.100:80 -n", "Illegal 'numeric' option with the 'add-service' command")]
    [InlineData("-D -t 10.0.0.100:80 -p", "Illegal 'persistent' option with the 'delete-service' command")]
    [InlineData("-d -t 10.0.0.100:80 -r 10.0.0.11 -w 1", "Illegal 'weight' option with the 'delete-server' command")]
    [InlineData("-Z -t 10.0.0.100:80 -n", "Illegal 'numeric' option with the 'zero' command")]
    [InlineData("-L -c --timeout", "The option 'timeout' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-P -t 10.0.0.100:80", "You need to supply the 'laddr' option for the 'add-laddr' command")]
    [InlineData("-d -r 10.0.0.11", "You need to supply the 'service-address' option for the 'delete-server' command")]
    [InlineData("-R -n", "Illegal 'numeric' option with the 'restore' command")]
    [InlineData("--set 1 2 3 -n", "Illegal 'numeric' option with the 'set' command")]
    [InlineData("-A -t 10.0.0.100:80 -s rr -s wrr", "multiple 'scheduler' options specified")]
    [InlineData("-a -t 10.0.0.100:80 -u 10.0.0.100:80 -r 10.0.0.11", "multiple 'service-address' options specified")]
    public void Table_DrivesIpvsadmsConflictMessages(string line, string message)
    {
        var error = Assert.Throws<IpvsadmUsageException>(() => new IpvsadmParser().Parse(line.Split(' ')));
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.ExitCode);
    }

    [Fact]
    public void Usage_ListsEveryRowWithHelp_InIpvsadmsColumns()
    {
        var usage = AdminCommandLine.Usage("1.2.3");
        foreach (var row in IpvsadmOptionTable.Rows.Where(r => r.Help is not null))
        {
            Assert.Contains("--" + row.Long, usage, StringComparison.Ordinal);
            Assert.Contains(row.Help!.Split('\n')[0], usage, StringComparison.Ordinal);
        }

        // ipvsadm's own lines, column for column.
        Assert.Contains("\n  --add-service     -A        add virtual service with options\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --list            -L|-l     list the table\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --set tcp tcpfin udp        set connection timeout values\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --tcp-service  -t service-address   service-address is host[:port]\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --weight       -w weight            capacity of real server\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --persistent-conn                   output of persistent connection info\n", usage, StringComparison.Ordinal);
        Assert.Contains("\n  --masquerading -m                   masquerading (NAT)\n", usage, StringComparison.Ordinal);
        Assert.StartsWith("lvsnetadm v1.2.3 (compiled with ", usage, StringComparison.Ordinal);
    }
}

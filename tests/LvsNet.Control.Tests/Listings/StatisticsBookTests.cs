using LvsNet.Control.Listings;
using LvsNet.Core;
using LvsNet.Core.Runtime;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Listings;

public class StatisticsBookTests
{
    private static (LvsRuntime Runtime, RealServerState Server) Running()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Apply(Empty, "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 10.0.0.11", "-A -u 10.0.0.100:53 -s rr", "-a -u 10.0.0.100:53 -r 10.0.0.11"));
        return (runtime, runtime.Current!.Services[0].Servers[0]);
    }

    private static void Traffic(RealServerState server, int connections, int packets, int bytes)
    {
        for (var i = 0; i < connections; i++)
        {
            server.OnConnectionCreated();
        }

        for (var i = 0; i < packets; i++)
        {
            server.OnInbound(i % 3, bytes / packets);
        }
    }

    [Fact]
    public void Zero_OneService_ListsCountersSinceTheZeroPointAndKeepsTheOthers()
    {
        var (runtime, web) = Running();
        var dns = runtime.Current!.Services[1].Servers[0];
        var book = new StatisticsBook();
        Traffic(web, 3, 30, 3000);
        Traffic(dns, 2, 2, 200);
        Assert.True(book.Zero(runtime.Current!, runtime.Current!.Services[0].Key));
        Traffic(web, 1, 10, 1000);

        Assert.Equal(new TrafficStats(1, 10, 0, 1000, 0), book.Of(web).Stats);
        Assert.Equal(new TrafficStats(1, 10, 0, 1000, 0), book.Of(runtime.Current!.Services[0]).Stats);
        Assert.Equal(new TrafficStats(2, 2, 0, 200, 0), book.Of(dns).Stats);

        // The raw counters (what metrics export) stay monotonic.
        Assert.Equal(4, web.Connections);
    }

    [Fact]
    public void Zero_UnknownService_ReturnsFalse()
    {
        var (runtime, _) = Running();
        Assert.False(new StatisticsBook().Zero(runtime.Current!, new ServiceKey(Packets.IpProtocol.Tcp, Ip("10.0.0.100"), 81)));
        Assert.True(new StatisticsBook().Zero(runtime.Current!));
    }

    [Fact]
    public void Sample_EveryTwoSeconds_EstimatesRatesPerServer()
    {
        var (runtime, web) = Running();
        var book = new StatisticsBook();
        book.Sample(runtime.Current!);
        for (var i = 0; i < 80; i++)
        {
            Traffic(web, 20, 200, 200_000);
            book.Sample(runtime.Current!);
        }

        var rates = book.Of(web).Rates;
        Assert.Equal(10, rates.Cps);
        Assert.Equal(100, rates.InPps);
        Assert.Equal(100_000, rates.InBps);
        Assert.Equal(rates, book.Of(runtime.Current!.Services[0]).Rates);
    }

    [Fact]
    public void Follow_ServiceDeletedThenAddedAgain_StartsFromZeroAsTheKernelDoes()
    {
        var (runtime, web) = Running();
        var book = new StatisticsBook();
        runtime.SnapshotPublished += (snapshot, _) => book.Follow(snapshot);
        Traffic(web, 3, 30, 3000);
        Assert.Equal(3, book.Of(runtime.Current!.Services[0]).Stats.Connections);

        // -D: the service leaves; -A/-a: it comes back (the runtime keeps the same counter objects).
        runtime.Apply(Apply(runtime.Current!.Config, "-D -t 10.0.0.100:80"));
        runtime.Apply(Apply(runtime.Current!.Config, "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 10.0.0.11"));
        var again = runtime.Current!.ServicesByKey[web.Service];
        Assert.Equal(TrafficStats.Zero, book.Of(again).Stats);
        Assert.Equal(TrafficStats.Zero, book.Of(again.Servers[0]).Stats);
        Traffic(again.Servers[0], 1, 1, 100);
        Assert.Equal(new TrafficStats(1, 1, 0, 100, 0), book.Of(again).Stats);

        // The other service was never deleted and keeps its counters.
        var dns = runtime.Current!.Services.Single(s => s.Key != web.Service);
        Traffic(dns.Servers[0], 2, 2, 200);
        Assert.Equal(2, book.Of(dns).Stats.Connections);
    }

    [Fact]
    public void Follow_Restarted_ClearAndRestoreInOneEdit_StartFromZero()
    {
        var (runtime, web) = Running();
        var book = new StatisticsBook();
        Traffic(web, 3, 30, 3000);
        Assert.Equal(3, book.Of(web).Stats.Connections);

        // -C and -R in one request: the service never leaves a published snapshot, so the edit names it.
        runtime.Apply(Apply(runtime.Current!.Config, "-C", "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 10.0.0.11"));
        book.Follow(runtime.Current!, [web.Service]);

        Assert.Equal(TrafficStats.Zero, book.Of(runtime.Current!.ServicesByKey[web.Service]).Stats);
        Assert.Equal(TrafficStats.Zero, book.Of(web).Stats);
    }
}

using Xunit;

namespace LvsNet.Core.Tests;

public class TrafficCountersTests
{
    [Fact]
    public void Workers_AddingAtOnce_SumExactly_IncludingWorkersBeyondTheStripes()
    {
        // Each worker index is one thread, as in the data path; indexes at and beyond the stripe
        // count share one more stripe and must still lose nothing.
        var counters = new TrafficCounters();
        var workers = Enumerable.Range(0, TrafficCounters.Stripes + 3).ToArray();
        const int PerWorker = 200_000;
        Parallel.ForEach(workers, new ParallelOptions { MaxDegreeOfParallelism = workers.Length }, worker =>
        {
            for (var i = 0; i < PerWorker; i++)
            {
                counters.AddInbound(worker, 3);
                counters.AddOutbound(worker, 5);
            }
        });

        Assert.Equal((long)workers.Length * PerWorker, counters.InPackets);
        Assert.Equal((long)workers.Length * PerWorker * 3, counters.InBytes);
        Assert.Equal((long)workers.Length * PerWorker, counters.OutPackets);
        Assert.Equal((long)workers.Length * PerWorker * 5, counters.OutBytes);
    }

    [Fact]
    public void Service_SumsTheStripesOfEveryWorker()
    {
        var service = new ServiceCounters();
        var counters = new TrafficCounters();
        Assert.Equal(0, counters.InPackets + counters.OutBytes + service.InPackets + service.OutBytes);
        service.Traffic.AddInbound(0, 100);
        service.Traffic.AddInbound(1, 50);
        service.Traffic.AddOutbound(0, 7);
        Assert.Equal((2L, 150L, 1L, 7L), (service.InPackets, service.InBytes, service.OutPackets, service.OutBytes));
    }
}

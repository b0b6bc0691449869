using LvsNet.Control.Listings;
using Xunit;

namespace LvsNet.Control.Tests.Listings;

public class RateEstimatorTests
{
    private static TrafficStats Stats(long connections, long packets, long bytes) => new(connections, packets, packets / 2, bytes, bytes / 2);

    [Fact]
    public void Sample_ConstantTraffic_FollowsTheKernelsFixedPointSteps()
    {
        // 100 connections, 1000 packets and 1,000,000 bytes per 2 s sample: 50 cps, 500 pps, 500,000 B/s.
        var estimator = new RateEstimator(TrafficStats.Zero);
        var cps = new List<long>();
        var inBps = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            estimator.Sample(Stats(100 * i, 1000 * i, 1_000_000 * i));
            cps.Add(estimator.Rates.Cps);
            inBps.Add(estimator.Rates.InBps);
        }

        // avg += (rate - avg) >> 2 with rate = delta << 9: 12800, 22400, 29600 -> (avg + 511) >> 10 = 12, 22, 29.
        Assert.Equal([12, 22, 29], cps);
        Assert.Equal([125000, 218750, 289062], inBps);
    }

    [Fact]
    public void Sample_ConstantTraffic_ConvergesToThePerSecondRate()
    {
        var estimator = new RateEstimator(TrafficStats.Zero);
        for (var i = 1; i <= 60; i++)
        {
            estimator.Sample(Stats(100 * i, 1000 * i, 1_000_000 * i));
        }

        Assert.Equal(new TrafficRates(50, 500, 250, 500_000, 250_000), estimator.Rates);
    }

    [Fact]
    public void Sample_TrafficStops_DecaysToZero()
    {
        var estimator = new RateEstimator(TrafficStats.Zero);
        estimator.Sample(Stats(1000, 1000, 1000));
        for (var i = 0; i < 80; i++)
        {
            estimator.Sample(Stats(1000, 1000, 1000));
        }

        Assert.Equal(TrafficRates.Zero, estimator.Rates);
    }

    [Fact]
    public void Reset_ForgetsHistoryAndCountsFromTheCurrentValues()
    {
        var estimator = new RateEstimator(TrafficStats.Zero);
        estimator.Sample(Stats(1000, 1000, 1000));
        estimator.Reset(Stats(1000, 1000, 1000));
        Assert.Equal(TrafficRates.Zero, estimator.Rates);
        estimator.Sample(Stats(1000, 1000, 1000));
        Assert.Equal(TrafficRates.Zero, estimator.Rates);
    }
}

using LvsNet.Core.Health;
using Xunit;

namespace LvsNet.Core.Tests.Health;

public class QuorumPolicyTests
{
    [Theory]
    [InlineData(0, 1, 0, false)]
    [InlineData(1, 1, 0, true)]
    [InlineData(3, 3, 1, false)] // needs quorum + hysteresis = 4 at start
    [InlineData(4, 3, 1, true)]
    public void Initial_UpWhenLiveWeightReachesQuorumPlusHysteresis(long live, int quorum, int hysteresis, bool expected) =>
        Assert.Equal(expected, QuorumPolicy.Initial(live, quorum, hysteresis));

    [Fact]
    public void Next_Hysteresis_LosesBelowQuorumMinusH_GainsAtQuorumPlusH_HoldsBetween()
    {
        const int quorum = 5;
        const int hysteresis = 2;
        var up = true;
        foreach (var (live, expected) in new (long, bool)[] { (7, true), (4, true), (3, true), (2, false), (3, false), (6, false), (7, true), (5, true) })
        {
            up = QuorumPolicy.Next(up, live, quorum, hysteresis);
            Assert.True(expected == up, $"live {live}: expected {expected}");
        }
    }

    [Fact]
    public void Next_HysteresisAboveQuorum_StillLosesAtZeroLiveWeight()
    {
        Assert.True(QuorumPolicy.Next(true, 1, quorum: 1, hysteresis: 5));
        Assert.False(QuorumPolicy.Next(true, 0, quorum: 1, hysteresis: 5));
        Assert.False(QuorumPolicy.Next(false, 5, quorum: 1, hysteresis: 5));
        Assert.True(QuorumPolicy.Next(false, 6, quorum: 1, hysteresis: 5));
    }

    [Fact]
    public void Next_NoHysteresis_IsAPlainThreshold()
    {
        Assert.False(QuorumPolicy.Next(true, 1, quorum: 2, hysteresis: 0));
        Assert.True(QuorumPolicy.Next(false, 2, quorum: 2, hysteresis: 0));
    }
}

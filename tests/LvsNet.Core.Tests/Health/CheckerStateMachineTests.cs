using LvsNet.Core.Health;
using Xunit;

namespace LvsNet.Core.Tests.Health;

public class CheckerStateMachineTests
{
    [Fact]
    public void Record_UpCheckerWithRetry1_GoesDownAtSecondConsecutiveFailure()
    {
        var machine = new CheckerStateMachine(retry: 1, rise: 1, startUp: true);
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: true), machine.Record(false));
        Assert.True(machine.IsUp);
        Assert.Equal(1, machine.Failures);
        Assert.Equal(new CheckerStep(CheckerTransition.WentDown, UseRetryDelay: false), machine.Record(false));
        Assert.False(machine.IsUp);
        Assert.Equal(0, machine.Failures);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Record_GoesDownExactlyAtRetryPlusOneFailures(int retry)
    {
        var machine = new CheckerStateMachine(retry, rise: 1, startUp: true);
        for (var i = 0; i < retry; i++)
        {
            var step = machine.Record(false);
            Assert.Equal(CheckerTransition.None, step.Transition);
            Assert.True(step.UseRetryDelay, "a retry comes after delay_before_retry");
        }

        Assert.Equal(CheckerTransition.WentDown, machine.Record(false).Transition);
    }

    [Fact]
    public void Record_SuccessBetweenFailures_ResetsTheRetries()
    {
        var machine = new CheckerStateMachine(retry: 1, rise: 1, startUp: true);
        machine.Record(false);
        Assert.Equal(new CheckerStep(CheckerTransition.None, false), machine.Record(true));
        Assert.Equal(0, machine.Failures);
        Assert.Equal(CheckerTransition.None, machine.Record(false).Transition);
        Assert.True(machine.IsUp);
    }

    [Fact]
    public void Record_DownChecker_FailuresStayDownAtDelayLoop_OneSuccessBringsItBack()
    {
        var machine = new CheckerStateMachine(retry: 2, rise: 1, startUp: false);
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: false), machine.Record(false));
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: false), machine.Record(false));
        Assert.Equal(new CheckerStep(CheckerTransition.WentUp, UseRetryDelay: false), machine.Record(true));
        Assert.True(machine.IsUp);
    }

    [Fact]
    public void Record_Rise3_NeedsThreeSuccessesInARow_AFailureStartsOver()
    {
        var machine = new CheckerStateMachine(retry: 1, rise: 3, startUp: false);
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: true), machine.Record(true));
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: true), machine.Record(true));
        Assert.Equal(new CheckerStep(CheckerTransition.None, UseRetryDelay: false), machine.Record(false));
        Assert.Equal(0, machine.Successes);
        machine.Record(true);
        machine.Record(true);
        Assert.False(machine.IsUp);
        Assert.Equal(CheckerTransition.WentUp, machine.Record(true).Transition);
    }

    [Fact]
    public void Constructor_Alpha_StartsDownAndHasNotRun()
    {
        var machine = new CheckerStateMachine(retry: 1, rise: 1, startUp: false);
        Assert.False(machine.IsUp);
        Assert.False(machine.HasRun);
        machine.Record(true);
        Assert.True(machine.HasRun);
        Assert.True(machine.IsUp);
    }

    [Fact]
    public void Constructor_RejectsNegativeRetryAndZeroRise()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckerStateMachine(-1, 1, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckerStateMachine(1, 0, true));
    }
}

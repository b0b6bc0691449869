using LvsNet.Core.Feedback;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>
/// The agent reply grammar as HAProxy's configuration manual describes agent-check: words separated
/// by spaces, tabs or commas, in any order; "N%", "ready", "drain", "maint", "up", "down"/"fail"/
/// "stopped", "maxconn:N", and a description after '#'.
/// </summary>
public class AgentReplyParserTests
{
    [Theory]
    [InlineData("75%", 75)]
    [InlineData("0%", 0)]
    [InlineData("100%\n", 100)]
    [InlineData("250%\r\n", 250)]
    public void Percentage_SetsTheWeightOnly(string line, int percent)
    {
        Assert.True(AgentReplyParser.TryParse(line, out var reply, out _));
        Assert.Equal(percent, reply.WeightPercent);
        Assert.Null(reply.Admin);
        Assert.Null(reply.Operational);
    }

    [Theory]
    [InlineData("ready", AgentAdminState.Ready)]
    [InlineData("drain", AgentAdminState.Drain)]
    [InlineData("MAINT", AgentAdminState.Maint)]
    public void AdminWords(string line, AgentAdminState expected)
    {
        Assert.True(AgentReplyParser.TryParse(line, out var reply, out _));
        Assert.Equal(expected, reply.Admin);
        Assert.Null(reply.WeightPercent);
    }

    [Theory]
    [InlineData("up", AgentOperationalState.Up)]
    [InlineData("down", AgentOperationalState.Down)]
    [InlineData("fail", AgentOperationalState.Down)]
    [InlineData("stopped", AgentOperationalState.Down)]
    public void OperationalWords(string line, AgentOperationalState expected)
    {
        Assert.True(AgentReplyParser.TryParse(line, out var reply, out _));
        Assert.Equal(expected, reply.Operational);
    }

    [Fact]
    public void SeveralWords_AnyOrderAndSeparators()
    {
        Assert.True(AgentReplyParser.TryParse("up,\t50% ready maxconn:30", out var reply, out _));
        Assert.Equal(new AgentReply(50, AgentAdminState.Ready, AgentOperationalState.Up, 30, null), reply);
    }

    [Fact]
    public void Description_AfterHash()
    {
        Assert.True(AgentReplyParser.TryParse("down#disk full", out var reply, out _));
        Assert.Equal(AgentOperationalState.Down, reply.Operational);
        Assert.Equal("disk full", reply.Description);
    }

    [Theory]
    [InlineData("", "empty reply")]
    [InlineData("   ", "empty reply")]
    [InlineData("#only a comment", "empty reply")]
    [InlineData("75", "unknown word")]
    [InlineData("banana", "unknown word")]
    [InlineData("-5%", "not a percentage")]
    [InlineData("1001%", "not a percentage")]
    [InlineData("99999999999%", "not a percentage")]
    [InlineData("maxconn:x", "maxconn")]
    public void Refused(string line, string error)
    {
        Assert.False(AgentReplyParser.TryParse(line, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_TooLongOrNull()
    {
        Assert.False(AgentReplyParser.TryParse(new string('a', AgentReply.MaxLength + 1), out _, out _));
        Assert.False(AgentReplyParser.TryParse(null, out _, out _));
    }

    [Fact]
    public void Refused_ErrorTextHasNoControlCharacters()
    {
        Assert.False(AgentReplyParser.TryParse("bad\u001b[31mword", out _, out var message));
        Assert.DoesNotContain('\u001b', message);
    }
}

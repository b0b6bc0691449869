using LvsNet.Core.Connections;
using LvsNet.Packets;
using Xunit;
using S = LvsNet.Core.Connections.ConnectionState;

namespace LvsNet.Core.Tests.Connections;

public class TcpStateMachineTests
{
    [Theory]
    [InlineData(S.None, TcpFlags.Syn, S.SynRecv)]
    [InlineData(S.SynRecv, TcpFlags.Ack, S.Established)]
    [InlineData(S.Established, TcpFlags.Fin | TcpFlags.Ack, S.FinWait)]
    [InlineData(S.FinWait, TcpFlags.Ack, S.FinWait)]
    [InlineData(S.Established, TcpFlags.Rst, S.Close)]
    [InlineData(S.SynRecv, TcpFlags.Rst, S.SynRecv)]
    [InlineData(S.SynAck, TcpFlags.Rst, S.Close)]
    [InlineData(S.Established, TcpFlags.None, S.Close)]
    [InlineData(S.TimeWait, TcpFlags.Syn, S.SynRecv)]
    [InlineData(S.LastAck, TcpFlags.Ack, S.Close)]
    public void InputOnly_FollowsKernelTable(S from, TcpFlags flags, S expected) =>
        Assert.Equal(expected, TcpStateMachine.Next(from, TcpDirection.InputOnly, flags));

    [Fact]
    public void Nat_ServerClosesFirst_ReachesTimeWait()
    {
        var s = TcpStateMachine.Next(S.None, TcpDirection.Input, TcpFlags.Syn);
        Assert.Equal(S.SynRecv, s);
        s = TcpStateMachine.Next(s, TcpDirection.Output, TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(S.SynRecv, s);
        s = TcpStateMachine.Next(s, TcpDirection.Input, TcpFlags.Ack);
        Assert.Equal(S.Established, s);
        s = TcpStateMachine.Next(s, TcpDirection.Output, TcpFlags.Fin | TcpFlags.Ack);
        Assert.Equal(S.FinWait, s);
        s = TcpStateMachine.Next(s, TcpDirection.Input, TcpFlags.Fin | TcpFlags.Ack);
        Assert.Equal(S.TimeWait, s);
    }

    [Fact]
    public void Nat_ClientClosesFirst_CloseWaitThenTimeWait()
    {
        var s = TcpStateMachine.Next(S.Established, TcpDirection.Input, TcpFlags.Fin | TcpFlags.Ack);
        Assert.Equal(S.CloseWait, s);
        s = TcpStateMachine.Next(s, TcpDirection.Output, TcpFlags.Fin | TcpFlags.Ack);
        Assert.Equal(S.TimeWait, s);
    }

    [Fact]
    public void RstTakesPrecedenceOverSyn()
    {
        Assert.Equal(S.Close, TcpStateMachine.Next(S.Established, TcpDirection.Input, TcpFlags.Syn | TcpFlags.Rst));
    }
}

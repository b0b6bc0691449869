using System.Net.Sockets;
using System.Text;
using LvsNet.Daemon.Routing;
using Xunit;

namespace LvsNet.Daemon.Tests.Routing;

public class BirdControlClientTests
{
    // Replies as BIRD 2.0.12 sends them (seen on its control socket; codes from BIRD's doc/reply_codes).
    [Theory]
    [InlineData("0001 BIRD 2.0.12 ready.", true, 1, "BIRD 2.0.12 ready.")]
    [InlineData("0003 Reconfigured", true, 3, "Reconfigured")]
    [InlineData("0002-Reading configuration from /etc/bird.conf", false, 0, "")]
    [InlineData(" continuation", false, 0, "")]
    [InlineData("8002 /etc/bird.conf:3:1 syntax error", true, 8002, "/etc/bird.conf:3:1 syntax error")]
    [InlineData("0013", true, 13, "")]
    [InlineData("abc", false, 0, "")]
    public void TryParseFinal_RecognisesTheLastLine(string line, bool final, int code, string text)
    {
        Assert.Equal(final, BirdReply.TryParseFinal(line, out var c, out var t));
        if (final)
        {
            Assert.Equal(code, c);
            Assert.Equal(text, t);
        }
    }

    [Fact]
    public async Task SendAsync_ReadsGreetingThenTheWholeReply()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lvt-bird-{Environment.ProcessId}-{Guid.NewGuid():N}.ctl");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        try
        {
            var server = Task.Run(async () =>
            {
                using var peer = await listener.AcceptAsync();
                await peer.SendAsync(Encoding.ASCII.GetBytes("0001 BIRD 2.0.12 ready.\n"));
                var buffer = new byte[64];
                var n = await peer.ReceiveAsync(buffer);
                var command = Encoding.ASCII.GetString(buffer, 0, n);
                await peer.SendAsync(Encoding.ASCII.GetBytes("0002-Reading configuration from /etc/lvsnet/bird.conf\n0003 Reconfigured\n"));
                return command;
            });
            var reply = await BirdControlClient.SendAsync(path, "configure", TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal("configure\n", await server);
            Assert.Equal(3, reply.Code);
            Assert.True(reply.Ok);
            Assert.Equal(["Reading configuration from /etc/lvsnet/bird.conf", "Reconfigured"], reply.Lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SendAsync_ErrorCode_IsNotOk()
    {
        using var reader = new StringReader("0002-Reading configuration from /x\n8002 /x:1:1 syntax error, unexpected CF_SYM_UNDEFINED\n");
        var reply = await BirdControlClient.ReadReplyAsync(reader, CancellationToken.None);
        Assert.False(reply.Ok);
        Assert.Equal(8002, reply.Code);
    }

    [Fact]
    public async Task SendAsync_NoSocket_ThrowsIOException() =>
        await Assert.ThrowsAsync<IOException>(() => BirdControlClient.SendAsync("/nonexistent/lvt-bird.ctl", "configure", TimeSpan.FromSeconds(1), CancellationToken.None));
}

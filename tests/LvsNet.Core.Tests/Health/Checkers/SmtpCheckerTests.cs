using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Core.Tests.Health.Checkers.LoopbackTargets;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>SMTP_CHECK against a small SMTP-speaking listener on 127.0.0.1 (replies as RFC 5321 defines them).</summary>
public class SmtpCheckerTests
{
    [Fact]
    public async Task Check_GreetingHeloQuit_PassesAndSendsKeepalivedsDefaultHelo()
    {
        await using var server = new TinySmtpServer("220 mx.example.com ESMTP ready", "250 mx.example.com", "221 2.0.0 Bye");
        using var cancel = new CancellationTokenSource(CheckTime);
        var result = await new SmtpChecker(new SmtpCheckConfig(), Target(server.Port)).CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        Assert.NotNull(result.Latency);

        // keepalived's SMTP_DEFAULT_HELO; each command ends with CRLF (RFC 5321 section 2.3.8).
        Assert.Equal(["HELO smtpchecker.keepalived.org\r\n", "QUIT\r\n"], await server.SessionAsync());
    }

    [Fact]
    public async Task Check_HeloName_IsSent()
    {
        await using var server = new TinySmtpServer("220 ready", "250 ok", "221 bye");
        using var cancel = new CancellationTokenSource(CheckTime);
        var result = await new SmtpChecker(new SmtpCheckConfig { HeloName = "director1.example.net" }, Target(server.Port)).CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        Assert.Equal("HELO director1.example.net\r\n", (await server.SessionAsync())[0]);
    }

    [Theory]
    [InlineData("554 5.3.2 no service here", "250 ok", "bad greeting: 554 5.3.2 no service here")]
    [InlineData("421 shutting down", "250 ok", "bad greeting: 421 shutting down")]
    [InlineData("hello", "250 ok", "bad greeting: hello")]
    [InlineData("220 ready", "502 5.5.1 HELO not implemented", "bad HELO reply: 502 5.5.1 HELO not implemented")]
    [InlineData("220 ready", "220 again", "bad HELO reply: 220 again")]
    public async Task Check_WrongReplyCode_Fails(string greeting, string heloReply, string expected)
    {
        await using var server = new TinySmtpServer(greeting, heloReply, "221 bye");
        using var cancel = new CancellationTokenSource(CheckTime);
        var result = await new SmtpChecker(new SmtpCheckConfig(), Target(server.Port)).CheckAsync(cancel.Token);
        Assert.False(result.Success);
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task Check_MultiLineGreeting_JudgedByItsFirstLine()
    {
        // RFC 5321 4.2.1: "220-" continuation lines; keepalived judges the first line's code only.
        await using var server = new TinySmtpServer("220-mx.example.com first line\r\n220 second line", "250 ok", "221 bye");
        using var cancel = new CancellationTokenSource(CheckTime);
        var result = await new SmtpChecker(new SmtpCheckConfig(), Target(server.Port)).CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
    }

    [Fact]
    public async Task Check_ClosedPort_FailsRefused_ServerClosingAfterConnect_Fails()
    {
        using var cancel = new CancellationTokenSource(CheckTime);
        var refused = await new SmtpChecker(new SmtpCheckConfig(), Target(FreeTcpPort())).CheckAsync(cancel.Token);
        Assert.False(refused.Success);
        Assert.Equal("connection refused", refused.Message);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closer = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(cancel.Token);
        });
        var closed = await new SmtpChecker(new SmtpCheckConfig(), Target(port)).CheckAsync(cancel.Token);
        await closer;
        Assert.False(closed.Success);
        Assert.Equal("connection closed by the server", closed.Message);
    }

    [Fact]
    public async Task Check_SilentServer_RunsUntilCancelled()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SmtpChecker(new SmtpCheckConfig(), Target(port)).CheckAsync(cancel.Token));
    }

    [Fact]
    public async Task Check_SeveralHosts_AllMustPass_InOrder()
    {
        await using var first = new TinySmtpServer("220 first", "250 ok", "221 bye");
        await using var second = new TinySmtpServer("220 second", "250 ok", "221 bye");
        await using var broken = new TinySmtpServer("554 broken", "250 ok", "221 bye");
        using var cancel = new CancellationTokenSource(CheckTime);
        var loopback = Ipv4Address.Parse("127.0.0.1");

        var both = new SmtpCheckConfig { Hosts = [new SmtpHost(loopback, (ushort)first.Port), new SmtpHost(null, (ushort)second.Port)] };
        var checker = new SmtpChecker(both, Target(FreeTcpPort()));
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, first.Port), new IPEndPoint(IPAddress.Loopback, second.Port)], checker.Endpoints);
        var passed = await checker.CheckAsync(cancel.Token);
        Assert.True(passed.Success, passed.Message);
        Assert.Equal("2 hosts: 220, HELO 250, QUIT", passed.Message);
        Assert.Equal(2, (await first.SessionAsync()).Count);
        Assert.Equal(2, (await second.SessionAsync()).Count);

        var oneBroken = new SmtpCheckConfig { Hosts = [new SmtpHost(null, (ushort)broken.Port), new SmtpHost(null, (ushort)first.Port)] };
        var failed = await new SmtpChecker(oneBroken, Target(FreeTcpPort())).CheckAsync(cancel.Token);
        Assert.False(failed.Success);
        Assert.Equal($"127.0.0.1:{broken.Port}: bad greeting: 554 broken", failed.Message);
    }

    /// <summary>Answers one SMTP session per connection with the given lines and records the commands it received.</summary>
    private sealed class TinySmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));
        private readonly ConcurrentQueue<TaskCompletionSource<List<string>>> _sessions = new();
        private readonly Task _loop;

        public TinySmtpServer(string greeting, string heloReply, string quitReply)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    var session = new TaskCompletionSource<List<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _sessions.Enqueue(session);
                    using (client)
                    {
                        var stream = client.GetStream();
                        var received = new List<string>();
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(greeting + "\r\n"), _stop.Token);
                        if (!greeting.StartsWith("220", StringComparison.Ordinal))
                        {
                            session.SetResult(received);
                            continue;
                        }

                        foreach (var reply in new[] { heloReply, quitReply })
                        {
                            var line = await ReadLineAsync(stream);
                            if (line is null)
                            {
                                break;
                            }

                            received.Add(line);
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), _stop.Token);
                            if (!reply.StartsWith("250", StringComparison.Ordinal))
                            {
                                break;
                            }
                        }

                        session.SetResult(received);
                    }
                }
            });
        }

        public int Port { get; }

        public async Task<List<string>> SessionAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (_sessions.IsEmpty && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.True(_sessions.TryDequeue(out var session), "no SMTP session");
            return await session.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task<string?> ReadLineAsync(NetworkStream stream)
        {
            var line = new StringBuilder();
            var one = new byte[1];
            while (await stream.ReadAsync(one, _stop.Token) == 1)
            {
                line.Append((char)one[0]);
                if (one[0] == '\n')
                {
                    return line.ToString();
                }
            }

            return null;
        }
    }
}

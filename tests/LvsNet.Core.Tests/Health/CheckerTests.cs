using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Health;

/// <summary>The real checkers against servers on loopback.</summary>
public class CheckerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static CheckTarget Target(int port, IPAddress? bind = null) => new()
    {
        Server = new RealServerKey(new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.0.0.100"), 80), Ipv4Address.Parse("127.0.0.1"), (ushort)port),
        Endpoint = new IPEndPoint(IPAddress.Loopback, port),
        BindAddress = bind,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Tcp_ListeningPort_Passes_ClosedPort_FailsRefused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(Timeout);
        var passed = await new TcpConnectChecker(Target(port, IPAddress.Loopback)).CheckAsync(cancel.Token);
        Assert.True(passed.Success, passed.Message);
        Assert.NotNull(passed.Latency);

        var failed = await new TcpConnectChecker(Target(FreePort())).CheckAsync(cancel.Token);
        Assert.False(failed.Success);
        Assert.Equal("connection refused", failed.Message);
    }

    [Fact]
    public async Task Tcp_BindAddressNotLocal_FailsWithAClearMessage()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new TcpConnectChecker(Target(FreePort(), IPAddress.Parse("192.0.2.1"))).CheckAsync(cancel.Token);
        Assert.False(result.Success);
        Assert.Equal("cannot bind the director's address", result.Message);
    }

    [Fact]
    public async Task Http_StatusBodyDigestAndHostHeader()
    {
        await using var server = new TinyHttpServer("HTTP/1.1 200 OK", "ok, rs1 healthy");
        using var cancel = new CancellationTokenSource(Timeout);
#pragma warning disable CA5351 // keepalived's digest is MD5
        var digest = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("ok, rs1 healthy")));
#pragma warning restore CA5351

        var config = new HttpGetCheckConfig { Path = "/health", Digest = digest, BodyContains = "healthy", VirtualHost = "www.example.com" };
        using var checker = new HttpGetChecker(config, Target(server.Port));
        var result = await checker.CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        var request = server.Requests.Single();
        Assert.StartsWith("GET /health HTTP/1.0\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Host: www.example.com\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", request, StringComparison.Ordinal);

        using var wrongDigest = new HttpGetChecker(config with { Digest = new string('0', 32) }, Target(server.Port));
        var bad = await wrongDigest.CheckAsync(cancel.Token);
        Assert.False(bad.Success);
        Assert.Contains("digest", bad.Message, StringComparison.Ordinal);

        using var missingText = new HttpGetChecker(config with { Digest = null, BodyContains = "sick" }, Target(server.Port));
        Assert.Equal("/health: body does not contain \"sick\"", (await missingText.CheckAsync(cancel.Token)).Message);
    }

    [Fact]
    public async Task Http_StatusNotAccepted_Fails_AcceptedRange_Passes()
    {
        await using var server = new TinyHttpServer("HTTP/1.1 503 Service Unavailable", "busy");
        using var cancel = new CancellationTokenSource(Timeout);
        using var plain = new HttpGetChecker(new HttpGetCheckConfig { Path = "/" }, Target(server.Port));
        var result = await plain.CheckAsync(cancel.Token);
        Assert.False(result.Success);
        Assert.Equal("/: status 503", result.Message);

        using var tolerant = new HttpGetChecker(new HttpGetCheckConfig { Path = "/", StatusCodes = [new HttpStatusRange(200, 299), new HttpStatusRange(503, 503)], HttpVersion = "1.1" }, Target(server.Port));
        Assert.True((await tolerant.CheckAsync(cancel.Token)).Success);
        Assert.StartsWith("GET / HTTP/1.1\r\n", server.Requests.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ClosedPort_FailsRefused_SilentServer_TimesOutByToken()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        using var refused = new HttpGetChecker(new HttpGetCheckConfig(), Target(FreePort()));
        Assert.Equal("connection refused", (await refused.CheckAsync(cancel.Token)).Message);

        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var checker = new HttpGetChecker(new HttpGetCheckConfig(), Target(((IPEndPoint)silent.LocalEndpoint).Port));
        using var shortTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => checker.CheckAsync(shortTimeout.Token));
    }

    [Theory]
    [InlineData("exit 0", false, true, null)]
    [InlineData("exit 1", false, false, null)]
    [InlineData("exit 5", false, false, null)]
    [InlineData("exit 5", true, true, 3)]
    [InlineData("exit 1", true, false, null)]
    [InlineData("exit 2", true, true, 0)]
    public async Task Misc_ExitCodes(string command, bool dynamic, bool success, int? weight)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new MiscChecker(new MiscCheckConfig { Command = command, Dynamic = dynamic }, Target(80)).CheckAsync(cancel.Token);
        Assert.Equal(success, result.Success);
        Assert.Equal(weight, result.Weight);
        Assert.Null(result.Latency);
    }

    [Fact]
    public async Task Misc_SeesTheServerInItsEnvironment_AndStderrInTheMessage()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new MiscChecker(new MiscCheckConfig { Command = "echo \"$LVSNET_SERVICE $LVSNET_RS_ADDRESS:$LVSNET_RS_PORT\" >&2; exit 1" }, Target(8080)).CheckAsync(cancel.Token);
        Assert.Equal("exit status 1: tcp/10.0.0.100:80 127.0.0.1:8080", result.Message);
    }

    [Fact]
    public async Task Misc_StillRunningAtTheTimeout_IsKilledWithItsChildren()
    {
        var marker = Path.Combine(Path.GetTempPath(), "lvsnet-misc-" + Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var checker = new MiscChecker(new MiscCheckConfig { Command = $"sleep 30; touch {marker}" }, Target(80));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => checker.CheckAsync(cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Dns_BuildQuery_EncodesTheQuestion()
    {
        var query = DnsChecker.BuildQuery(0x1234, "example.com", 6);
        Assert.Equal(Convert.FromHexString("123401000001000000000000076578616D706C6503636F6D0000060001"), query);
        Assert.Equal(Convert.FromHexString("ABCD010000010000000000000000020001"), DnsChecker.BuildQuery(0xABCD, ".", 2));
        Assert.True(DnsCheckConfig.IsValidName("a-b.example.com."));
        Assert.False(DnsCheckConfig.IsValidName("a..b"));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2, false)]
    public async Task Dns_AnswerWithTheQueryId_DecidesByRcode(int rcode, bool success)
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var answering = Task.Run(async () =>
        {
            var request = await server.ReceiveAsync();
            var stale = (byte[])request.Buffer.Clone();
            stale[0] ^= 0xFF; // a late answer to another query: skipped
            stale[2] |= 0x80;
            await server.SendAsync(stale, request.RemoteEndPoint);
            var answer = (byte[])request.Buffer.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(2), (ushort)(0x8180 | rcode));
            await server.SendAsync(answer, request.RemoteEndPoint);
        });
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new DnsChecker(new DnsCheckConfig { QueryType = "A", Name = "example.com" }, Target(port)).CheckAsync(cancel.Token);
        await answering;
        Assert.Equal(success, result.Success);
        Assert.Equal(success ? "A example.com: NOERROR" : "A example.com: RCODE 2", result.Message);
    }

    [Fact]
    public async Task Dns_NothingListening_FailsOnThePortUnreachable()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new DnsChecker(new DnsCheckConfig(), Target(FreePort())).CheckAsync(cancel.Token);
        Assert.False(result.Success);
    }

    /// <summary>Answers every connection with one fixed response and records the requests.</summary>
    [Fact]
    public async Task Http_Regex_MatchNoMatchAndMaxOffset()
    {
        await using var server = new TinyHttpServer("HTTP/1.1 200 OK", "status: OK 42 servers\nload 0.5");
        using var cancel = new CancellationTokenSource(Timeout);
        async Task<CheckResult> Check(HttpGetCheckConfig config)
        {
            using var checker = new HttpGetChecker(config, Target(server.Port));
            return await checker.CheckAsync(cancel.Token);
        }

        Assert.True((await Check(new HttpGetCheckConfig { Regex = "OK [0-9]+ servers" })).Success);
        var noMatch = await Check(new HttpGetCheckConfig { Regex = "FAIL" });
        Assert.False(noMatch.Success);
        Assert.Equal("/: body does not match the regex", noMatch.Message);

        // regex_no_match inverts: up while the body does NOT match.
        Assert.True((await Check(new HttpGetCheckConfig { Regex = "FAIL", RegexNoMatch = true })).Success);
        Assert.False((await Check(new HttpGetCheckConfig { Regex = "load", RegexNoMatch = true })).Success);

        // regex_max_offset: only the first bytes are searched ("load" starts at byte 22).
        Assert.False((await Check(new HttpGetCheckConfig { Regex = "load", RegexMaxOffset = 20 })).Success);
        Assert.True((await Check(new HttpGetCheckConfig { Regex = "load", RegexMaxOffset = 26 })).Success);
    }

    private sealed class TinyHttpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TinyHttpServer(string statusLine, string body)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            var response = Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    var text = new StringBuilder();
                    while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        text.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    Requests.Enqueue(text.ToString());
                    await stream.WriteAsync(response, _stop.Token);
                }
            });
        }

        public int Port { get; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}

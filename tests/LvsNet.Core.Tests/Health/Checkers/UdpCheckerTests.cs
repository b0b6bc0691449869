using System.Net;
using System.Net.Sockets;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health.Checkers;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Core.Tests.Health.Checkers.LoopbackTargets;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>UDP_CHECK against UDP sockets on 127.0.0.1: replies, silence, and the kernel's ICMP port unreachable.</summary>
public class UdpCheckerTests
{
    // Long enough for a loaded CI machine to schedule the echo server; only the silent cases wait it out.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    private static async Task<CheckResult> CheckAsync(UdpCheckConfig config, int port)
    {
        using var cancel = new CancellationTokenSource(CheckTime);
        return await new UdpChecker(config, Target(port, IpProtocol.Udp), Wait).CheckAsync(cancel.Token);
    }

    [Fact]
    public async Task Check_ClosedPort_FailsOnIcmpPortUnreachable_BeforeTheWaitEnds()
    {
        // Linux answers a datagram to a closed loopback port with ICMP port unreachable (RFC 1122
        // 4.1.3.1), which a connected UDP socket reports as ECONNREFUSED.
        var started = DateTime.UtcNow;
        var result = await CheckAsync(new UdpCheckConfig { Payload = [1, 2, 3] }, FreeUdpPort());
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Message);
        Assert.True(DateTime.UtcNow - started < Wait, "the ICMP error, not the wait, decided");
    }

    [Fact]
    public async Task Check_SilentServer_PassesWithoutRequireReply_FailsWithIt()
    {
        using var silent = new UdpServer(_ => null);
        var passed = await CheckAsync(new UdpCheckConfig { Payload = [0x42] }, silent.Port);
        Assert.True(passed.Success, passed.Message);
        Assert.Equal("no ICMP error", passed.Message);
        Assert.Equal([0x42], silent.Received.First());

        var failed = await CheckAsync(new UdpCheckConfig { Payload = [0x42], RequireReply = true }, silent.Port);
        Assert.False(failed.Success);
        Assert.Equal("no reply", failed.Message);
    }

    [Fact]
    public async Task Check_Reply_ComparedOverTheShorterLength_AndWithinTheLengthBounds()
    {
        using var echo = new UdpServer(request => [.. request, 0xEE]);
        var payload = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF };

        // Reply DE AD BE EF EE: starts with the expected bytes.
        var prefix = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, Reply = [0xDE, 0xAD] }, echo.Port);
        Assert.True(prefix.Success, prefix.Message);

        // keepalived compares min(reply length, expected length) bytes: a longer expectation still passes on its prefix.
        var longer = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, Reply = [0xDE, 0xAD, 0xBE, 0xEF, 0xEE, 0x00, 0x01] }, echo.Port);
        Assert.True(longer.Success, longer.Message);

        var mismatch = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, Reply = [0xDE, 0xAE] }, echo.Port);
        Assert.False(mismatch.Success);
        Assert.Equal("reply of 5 bytes does not match", mismatch.Message);

        var tooShort = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, MinReplyLength = 6 }, echo.Port);
        Assert.False(tooShort.Success);
        var tooLong = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, MaxReplyLength = 4 }, echo.Port);
        Assert.False(tooLong.Success);
        var exact = await CheckAsync(new UdpCheckConfig { Payload = [.. payload], RequireReply = true, MinReplyLength = 5, MaxReplyLength = 5 }, echo.Port);
        Assert.True(exact.Success, exact.Message);
    }

    [Fact]
    public async Task Check_NoPayload_SendsAnEmptyDatagram()
    {
        using var echo = new UdpServer(_ => [1]);
        var result = await CheckAsync(new UdpCheckConfig { RequireReply = true }, echo.Port);
        Assert.True(result.Success, result.Message);
        Assert.Empty(echo.Received.First());
    }

    [Theory]
    [InlineData(0, 255, new byte[] { }, new byte[] { }, true)]
    [InlineData(0, 255, new byte[] { 1, 2 }, new byte[] { 1 }, true)]
    [InlineData(0, 255, new byte[] { 1 }, new byte[] { 1, 2 }, true)]
    [InlineData(0, 255, new byte[] { 2 }, new byte[] { 1 }, false)]
    [InlineData(2, 255, new byte[] { 1 }, new byte[] { }, false)]
    [InlineData(0, 1, new byte[] { 1, 2 }, new byte[] { }, false)]
    public void Accepts_LengthThenPrefix(int min, int max, byte[] reply, byte[] expected, bool accepted) =>
        Assert.Equal(accepted, new UdpCheckConfig { RequireReply = true, MinReplyLength = min, MaxReplyLength = max, Reply = [.. expected] }.Accepts(reply));

    /// <summary>A UDP socket on 127.0.0.1 that answers each datagram with what the function returns (null = silence).</summary>
    private sealed class UdpServer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));

        public UdpServer(Func<byte[], byte[]?> answer)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
            _ = Task.Run(async () =>
            {
                var buffer = new byte[2048];
                while (!_stop.IsCancellationRequested)
                {
                    SocketReceiveFromResult received;
                    try
                    {
                        received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    var request = buffer[..received.ReceivedBytes];
                    Received.Enqueue(request);
                    if (answer(request) is { } reply)
                    {
                        await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
                    }
                }
            });
        }

        public int Port { get; }

        public System.Collections.Concurrent.ConcurrentQueue<byte[]> Received { get; } = new();

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}

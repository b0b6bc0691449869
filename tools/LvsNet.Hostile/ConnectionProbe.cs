using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LvsNet.Hostile;

/// <summary>
/// New HTTP connections to the VIP (the IPv6 VIP after a neighbour discovery class), made right after an ARP class: with the scheduler spreading them,
/// some go to the real server whose neighbour entry the class tried to poison. A connection that
/// times out or gets no HTTP answer is a failure.
/// </summary>
internal static class ConnectionProbe
{
    public static int Failures(IPAddress vip, int port, int count, TimeSpan timeout)
    {
        var tasks = Enumerable.Range(0, count).Select(_ => OneAsync(vip, port, timeout)).ToArray();
        Task.WaitAll(tasks);
        return tasks.Count(t => !t.Result);
    }

    private static async Task<bool> OneAsync(IPAddress vip, int port, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            using var client = new TcpClient(vip.AddressFamily);
            await client.ConnectAsync(vip, port, cancel.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("GET / HTTP/1.0\r\nHost: vip\r\n\r\n"u8.ToArray(), cancel.Token).ConfigureAwait(false);
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer, cancel.Token).ConfigureAwait(false);
            return read > 12 && Encoding.ASCII.GetString(buffer, 0, 12).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}

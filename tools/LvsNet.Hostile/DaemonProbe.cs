using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LvsNet.Hostile;

/// <summary>What the campaign reads from the daemon: its status over the command socket, its RSS and whether it lives.</summary>
internal sealed class DaemonProbe(string socketPath, int pid)
{
    /// <summary>The <c>data_path</c> object of <c>lvsnetadm status</c>, or null when the daemon does not answer.</summary>
    public JsonElement? DataPath()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = 5000;
            socket.SendTimeout = 5000;
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send("{\"version\":1,\"command\":\"status\"}\n"u8);
            socket.Shutdown(SocketShutdown.Send);
            using var buffer = new MemoryStream();
            var chunk = new byte[65536];
            int read;
            while ((read = socket.Receive(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
            return document.RootElement.TryGetProperty("status", out var status) && status.TryGetProperty("data_path", out var dataPath)
                ? dataPath.Clone()
                : null;
        }
        catch (Exception ex) when (ex is SocketException or IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>True while the process runs (a zombie counts as dead).</summary>
    public bool Alive()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>VmRSS in kB, or -1 when the process is gone.</summary>
    public long RssKilobytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}

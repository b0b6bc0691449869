using System.Text.Json;
using LvsNet.Control.Listings;

namespace LvsNet.Control.Protocol;

/// <summary>Turns protocol messages into single JSON lines and back.</summary>
public static class ControlSerializer
{
    private static readonly ControlJsonContext Indented = new(new JsonSerializerOptions(ControlJsonContext.Default.Options) { WriteIndented = true });

    /// <summary>The request as one UTF-8 JSON line ending in '\n'.</summary>
    public static byte[] ToLine(ControlRequest request) => Line(JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest));

    /// <summary>The response as one UTF-8 JSON line ending in '\n'.</summary>
    public static byte[] ToLine(ControlResponse response) => Line(JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse));

    /// <summary>Reads a request.</summary>
    /// <exception cref="JsonException">Not a valid request.</exception>
    public static ControlRequest ReadRequest(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlRequest) ?? throw new JsonException("empty request");

    /// <summary>Reads a response.</summary>
    /// <exception cref="JsonException">Not a valid response.</exception>
    public static ControlResponse ReadResponse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlResponse) ?? throw new JsonException("empty response");

    /// <summary>Indented JSON of a listing, for <c>lvsnetadm --json</c>.</summary>
    public static string ToJson(IpvsListing listing) => JsonSerializer.Serialize(listing, Indented.IpvsListing);

    /// <summary>Indented JSON of a status, for <c>lvsnetadm --json</c>.</summary>
    public static string ToJson(DaemonStatus status) => JsonSerializer.Serialize(status, Indented.DaemonStatus);

    /// <summary>Indented JSON of a reload report, for <c>lvsnetadm --json</c>.</summary>
    public static string ToJson(ReloadReport report) => JsonSerializer.Serialize(report, Indented.ReloadReport);

    /// <summary>Indented JSON of connections, for <c>lvsnetadm --json</c>.</summary>
    public static string ToJson(IReadOnlyList<ConnectionRow> connections) => JsonSerializer.Serialize(connections, Indented.IReadOnlyListConnectionRow);

    /// <summary>Indented JSON of a whole response, for <c>lvsnetadm --json</c>.</summary>
    public static string ToJson(ControlResponse response) => JsonSerializer.Serialize(response, Indented.ControlResponse);

    private static byte[] Line(byte[] json)
    {
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}

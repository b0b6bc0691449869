using System.Text.Json.Serialization;
using LvsNet.Control.Listings;

namespace LvsNet.Control.Protocol;

/// <summary>
/// Source-generated System.Text.Json metadata for the command-socket protocol (no reflection at
/// run time). Names are snake_case, like the YAML configuration; nulls are omitted.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(IpvsListing))]
[JsonSerializable(typeof(DaemonStatus))]
[JsonSerializable(typeof(ReloadReport))]
[JsonSerializable(typeof(IReadOnlyList<ConnectionRow>))]
[JsonSerializable(typeof(ConnectionCounts))]
public sealed partial class ControlJsonContext : JsonSerializerContext;

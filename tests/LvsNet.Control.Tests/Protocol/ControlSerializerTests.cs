using System.Text;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Protocol;

public class ControlSerializerTests
{
    [Fact]
    public void Request_RoundTripsAsOneSnakeCaseLine()
    {
        var request = new ControlRequest { Command = ControlCommands.Edit, Operations = [Op("-a -t 10.0.0.100:80 -r 10.0.0.11:8080 -m -w 3") with { Line = 4 }] };
        var line = ControlSerializer.ToLine(request);
        Assert.Equal((byte)'\n', line[^1]);
        Assert.Equal(1, line.Count(b => b == (byte)'\n'));
        var json = Encoding.UTF8.GetString(line);
        Assert.Contains("\"command\":\"edit\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"AddServer\"", json, StringComparison.Ordinal);
        Assert.Contains("\"server_address\":\"10.0.0.11\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);

        var read = ControlSerializer.ReadRequest(line.AsSpan(0, line.Length - 1));
        var operation = Assert.Single(read.Operations!);
        Assert.Equal(ControlProtocol.Version, read.Version);
        Assert.Equal(request.Operations[0] with { SchedulerFlags = null }, operation with { SchedulerFlags = null });
    }

    [Fact]
    public void FirewallMarkService_RoundTripsInRequestsAndListings()
    {
        var request = new ControlRequest { Command = ControlCommands.Edit, Operations = [Op("-a -f 4000000000 -r 10.0.0.11:443 -g")] };
        var read = ControlSerializer.ReadRequest(ControlSerializer.ToLine(request).AsSpan()[..^1]);
        Assert.Equal(LvsNet.Control.Editing.ServiceSelector.ForMark(4_000_000_000), Assert.Single(read.Operations!).Service);

        var response = new ControlResponse { Ok = true, Listing = new IpvsListing { TableSize = 1, Services = [new ServiceListing { Protocol = "tcp", Address = "0.0.0.0", Port = 0, FirewallMark = 7, Scheduler = "rr" }] } };
        Assert.Equal(7u, Assert.Single(ControlSerializer.ReadResponse(ControlSerializer.ToLine(response).AsSpan()[..^1]).Listing!.Services).FirewallMark);
    }

    [Fact]
    public void Response_WithListing_RoundTrips()
    {
        var response = new ControlResponse
        {
            Ok = true,
            Listing = new IpvsListing
            {
                TableSize = 4096,
                Services = [new ServiceListing { Protocol = "tcp", Address = "10.0.0.100", Port = 80, Scheduler = "rr", Stats = new TrafficStats(1, 2, 3, 4, 5), Servers = [new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", Weight = 2 }] }],
            },
        };
        var read = ControlSerializer.ReadResponse(ControlSerializer.ToLine(response).AsSpan()[..^1]);
        var service = Assert.Single(read.Listing!.Services);
        Assert.Equal(new TrafficStats(1, 2, 3, 4, 5), service.Stats);
        Assert.Equal(2, Assert.Single(service.Servers).Weight);
    }

    [Fact]
    public void Read_UnknownFieldsAreIgnored_ForwardCompatibility()
    {
        var read = ControlSerializer.ReadResponse("{\"version\":1,\"ok\":true,\"message\":\"hi\",\"added_in_v1_5\":{\"x\":1}}"u8);
        Assert.True(read.Ok);
        Assert.Equal("hi", read.Message);
    }

    [Fact]
    public void Read_Garbage_Throws() =>
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ControlSerializer.ReadRequest("not json"u8));
}

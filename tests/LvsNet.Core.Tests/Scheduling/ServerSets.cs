using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Core.Tests;

/// <summary>Builds server arrays (kernel list order) and flows for scheduler tests.</summary>
internal static class ServerSets
{
    public static readonly ServiceKey Key = new(IpProtocol.Tcp, Ipv4Address.Parse("10.0.0.100"), 80);

    public static readonly FlowInfo Flow = new(IpProtocol.Tcp, Ipv4Address.Parse("192.168.1.100"), 40000, Key.Address, 80);

    /// <summary>Servers 10.1.0.1, 10.1.0.2, ... with the given weights, named A, B, C, ... in list order.</summary>
    public static RealServerState[] Create(params int[] weights)
    {
        var counters = new ServiceCounters();
        var servers = new RealServerState[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            servers[i] = new RealServerState(i, Key, counters, Config(i, weights[i]));
        }

        return servers;
    }

    public static RealServerConfig Config(int index, int weight, int upper = 0, int lower = 0) => new()
    {
        Address = Ipv4Address.Parse("10.1.0.1") + (uint)index,
        Port = 80,
        Weight = weight,
        UpperThreshold = upper,
        LowerThreshold = lower,
    };

    /// <summary>Sets (active, inactive) counts on every server.</summary>
    public static void SetCounts(RealServerState[] servers, params (int Active, int Inactive)[] counts)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            servers[i].SetConnectionCounts(counts[i].Active, counts[i].Inactive);
        }
    }

    /// <summary>The letter of a chosen server, or '-' for none.</summary>
    public static char Letter(RealServerState[] servers, RealServerState? chosen) =>
        chosen is null ? '-' : (char)('A' + Array.IndexOf(servers, chosen));

    public static string Sequence(IScheduler scheduler, RealServerState[] servers, int picks)
    {
        var chars = new char[picks];
        for (var i = 0; i < picks; i++)
        {
            chars[i] = Letter(servers, scheduler.Schedule(Flow));
        }

        return new string(chars);
    }

    public static FlowInfo FlowFrom(uint source, ushort port = 40000, uint? destination = null, IpProtocol protocol = IpProtocol.Tcp) =>
        new(protocol, source, port, destination ?? Key.Address, 80);

    /// <summary>Letters parsed from "A,B,-": convenience for table-driven expectations.</summary>
    public static int[] Parse(string csv) => [.. csv.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}

using CsCheck;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Yaml;

/// <summary>
/// Writer and reader round trip on generated configurations: any valid configuration the writer
/// writes reads back equal, and writing what was read gives the same text. Names mix characters that
/// YAML treats specially, so quoting is exercised; CsCheck shrinks a failure to the smallest config.
/// </summary>
public class ConfigRoundTripPropertyTests
{
    private static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh", "lblc", "lblcr"];

    private static readonly Gen<string?> Name = Gen.OneOf<string?>(null, "web", "a: b", "#1", "true", "null", "\"quoted\"", "x'y", "- dash", "  spaced ", "01", "ünïcode", "[list]", "{map}", "a\\b");

    private static readonly Gen<RealServerConfig> RealServer =
        Gen.Select(Gen.Int[3, 99], Gen.Int[0, 65535], Gen.Enum<ForwardingMethod>().Where(m => m != ForwardingMethod.FullNat), Gen.UShort[1, 65535], Gen.Int[0, 1000], Gen.Int[0, 1000],
            (host, weight, method, port, a, b) => new RealServerConfig
            {
                Address = Ip("10.0.0.0") + (uint)host,
                Port = port,
                Weight = weight,
                Method = method,
                UpperThreshold = Math.Max(a, b),
                LowerThreshold = Math.Min(a, b),
            });

    private static readonly Gen<VirtualServiceConfig> Service =
        Gen.Select(Name, Gen.OneOf(IpProtocol.Tcp, IpProtocol.Udp), Gen.Int[100, 250], Gen.UShort[1, 65535], Gen.OneOf(Schedulers), Gen.Int[0, 3600], RealServer.Array[0, 5],
            (name, protocol, host, port, scheduler, persistence, servers) => new VirtualServiceConfig
            {
                Name = name,
                Protocol = protocol,
                Address = Ip("10.0.0.0") + (uint)host,
                Port = port,
                Scheduler = scheduler,
                PersistenceTimeout = persistence == 0 ? null : TimeSpan.FromSeconds(persistence),

                // Real servers on the director's segment (10.0.0.3-99, DR needs it), VIPs beside them (.100-.250).
                // One server per address (the reader rejects duplicates); DR and TUN keep the service's port.
                RealServers = [.. servers.DistinctBy(s => s.Address).Select(s => s.Method == ForwardingMethod.Nat ? s : s with { Port = port })],
            });

    [Fact]
    public void GeneratedConfigs_ReadBackEqual_AndRewriteIdentically()
    {
        Service.Array[0, 4].Sample(services =>
        {
            var config = Empty with { VirtualServices = [.. services.DistinctBy(s => (s.Protocol, s.Address, s.Port))] };
            var yaml = ConfigYamlWriter.Write(config);
            var read = LvsConfigReader.Parse(yaml, "generated.yaml");
            Assert.Equal(config.Director, read.Director);
            Assert.Equal(config.VirtualServices.Length, read.VirtualServices.Length);
            for (var i = 0; i < config.VirtualServices.Length; i++)
            {
                Assert.Equal(config.VirtualServices[i], read.VirtualServices[i]);
            }

            Assert.Equal(yaml, ConfigYamlWriter.Write(read));
        }, iter: 300);
    }
}

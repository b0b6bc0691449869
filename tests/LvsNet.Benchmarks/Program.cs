using BenchmarkDotNet.Running;
using LvsNet.Benchmarks;

// `table-stress [entries] [--no-huge-pages]` runs the standalone connection-table stress program; anything else
// goes to BenchmarkDotNet (for example --filter '*DataPath*' --job short).
if (args is ["table-stress", ..])
{
    return TableStress.Run(
        args.Length > 1 && args[1] != "--no-huge-pages" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000,
        hugePages: !args.Contains("--no-huge-pages"));
}

// `sync-fill ADDRESS PORT COUNT VIP:PORT SERVER` fills a backup lvsnetd's table through its sync daemon.
if (args is ["sync-fill", ..])
{
    return SyncFill.Run(args);
}

// `xdp-rate [xdp|pcap] [frames] [rate] [umem frames]` measures receive rate and CPU per frame on a veth pair (needs root).
if (args is ["xdp-rate", ..])
{
    return AfXdpRate.Run(args);
}

// `pcap-compare [frames] [rounds] [paced fps]` compares the own libpcap receive loop with SharpPcap's on a veth pair (needs root).
if (args is ["pcap-compare", ..])
{
    return PcapBindingComparison.Run(args);
}

// `cpu-time ipv6 [dr|nat|tun|fullnat]` compares an established packet over IPv4 and over IPv6 in one run (NAT, FULLNAT: also the reply).
if (args is ["cpu-time", "ipv6", ..])
{
    return Ipv6CpuTime.Run(args.Length > 2 ? args[2] : "dr");
}

// `cpu-time [dr|nat|tun|fullnat ...]` measures the data-path rows by process CPU time (for loaded machines).
if (args is ["cpu-time", ..])
{
    return DataPathCpuTime.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(DataPathBenchmarks).Assembly).Run(args);
return 0;

using System.Text.RegularExpressions;
using LvsNet.PacketIo.Bpf;
using LvsNet.PacketIo.Tests.Infrastructure;
using Xunit;

namespace LvsNet.PacketIo.Tests.Bpf;

/// <summary>
/// <see cref="KernelBtf"/> against the running kernel's BTF, with bpftool (libbpf's BTF parser) as the
/// independent decoder of the same file.
/// </summary>
public sealed class KernelBtfTests
{
    [RequiresProgramFact("bpftool")]
    public void FindFunction_XdpMetadataKfuncs_MatchBpftool()
    {
        var dump = ExternalCommand.Run("bpftool", "btf", "dump", "file", KernelBtf.VmlinuxPath);
        foreach (var name in new[] { "bpf_xdp_metadata_rx_vlan_tag", "bpf_xdp_metadata_rx_hash", "bpf_xdp_metadata_rx_timestamp" })
        {
            // bpftool prints "[id] FUNC 'name' type_id=... linkage=...".
            var line = Regex.Match(dump, @"^\[(\d+)\] FUNC '" + name + "' ", RegexOptions.Multiline);
            Assert.True(line.Success, $"bpftool lists no FUNC {name}: this kernel lacks the XDP metadata kfuncs (Linux 6.8+ needed for the VLAN one)");
            Assert.Equal(int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), KernelBtf.FindFunction(name, out var problem));
            Assert.Null(problem);
        }
    }

    [Fact]
    public void FindFunction_NoSuchFunction_ReturnsZeroAndSaysWhy()
    {
        if (!File.Exists(KernelBtf.VmlinuxPath))
        {
            Assert.Equal(0, KernelBtf.FindFunction("bpf_xdp_metadata_rx_vlan_tag", out var missing));
            Assert.Contains("cannot be read", missing, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(0, KernelBtf.FindFunction("lvsnet_no_such_function", out var problem));
        Assert.Contains("no function lvsnet_no_such_function", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void FindFunction_NotBtf_ReturnsZeroAndSaysWhy()
    {
        using var file = new TempFile(".btf");
        File.WriteAllBytes(file.Path, new byte[64]);
        Assert.Equal(0, KernelBtf.FindFunction("bpf_xdp_metadata_rx_vlan_tag", out var problem, file.Path));
        Assert.Contains("magic", problem, StringComparison.Ordinal);
    }
}

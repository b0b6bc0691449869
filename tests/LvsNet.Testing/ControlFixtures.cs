using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Testing;

/// <summary>Small configurations and parsed commands shared by the control-plane tests.</summary>
public static class ControlFixtures
{
    public static readonly DirectorConfig Director = new() { Interface = "eth0", Address = Ipv4Address.Parse("10.0.0.2"), PrefixLength = 24 };

    public static LvsConfig Empty => new() { Director = Director };

    private static readonly IpvsadmParser Parser = new(new FakeNameResolver());

    /// <summary>The operation of one ipvsadm line.</summary>
    public static EditOperation Op(string line) => Parser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Operation!;

    /// <summary>Applies ipvsadm lines to <paramref name="config"/>.</summary>
    public static LvsConfig Apply(LvsConfig config, params string[] lines) => ConfigEditor.Apply(config, lines.Select(Op));

    public static uint Ip(string text) => Ipv4Address.Parse(text);
}

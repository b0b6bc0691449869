using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Which IPv4 addresses may be a VIP, a real server or a FULLNAT local address: unicast addresses
/// of the network, never one the kernel treats specially (RTN_BROADCAST, RTN_MULTICAST, the
/// loopback net) nor the director's own. The kernel refuses a non-unicast real server with EINVAL;
/// a VIP of 127.0.0.1 or 0.0.0.0 would make the daemon answer for, and take from the kernel, an
/// address the host itself needs.
/// </summary>
public static class AddressRules
{
    /// <summary>Why <paramref name="address"/> cannot be used as <paramref name="role"/>, or null when it can.</summary>
    /// <param name="address">The address, host order.</param>
    /// <param name="role">"a VIP", "a real server", ... for the message.</param>
    /// <param name="director">The director, for its own address and its subnet's broadcast address (null when unknown).</param>
    public static string? Problem(uint address, string role, DirectorConfig? director = null)
    {
        var text = Ipv4Address.Format(address);
        var kind = address switch
        {
            0 => "the unspecified address",
            < 0x01000000 => "in 0.0.0.0/8 (\"this network\")",
            >= 0x7F000000 and <= 0x7FFFFFFF => "a loopback address",
            >= 0xE0000000 and <= 0xEFFFFFFF => "a multicast address",
            0xFFFFFFFF => "the limited broadcast address",
            _ => null,
        };
        if (kind is null && director is not null)
        {
            var mask = Ipv4Address.PrefixToMask(director.PrefixLength);
            if (address == director.Address)
            {
                kind = "the director's own address (the kernel holds that one)";
            }
            else if (director.PrefixLength < 31 && (address & mask) == (director.Address & mask) && (address | mask) == 0xFFFFFFFF)
            {
                kind = $"the broadcast address of the director's subnet {Ipv4Address.Format(director.Address & mask)}/{director.PrefixLength}";
            }
        }

        return kind is null ? null : $"{text} is {kind}; {role} must be a unicast address of the network";
    }
}

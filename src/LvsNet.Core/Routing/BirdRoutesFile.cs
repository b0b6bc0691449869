using System.Text;
using LvsNet.Packets;

namespace LvsNet.Core.Routing;

/// <summary>
/// The text of the file BIRD includes inside lvsnetd's static protocol: one
/// <c>route VIP/32 blackhole;</c> per announced VIP. BIRD exports such a route over BGP with the
/// session's own address as next hop (eBGP's next-hop-self), so the router sends the VIP's traffic to
/// this director; the director's own kernel never gets the route (the BIRD configuration has no
/// kernel export of it), so lvsnetd changes no route of the host.
/// </summary>
public static class BirdRoutesFile
{
    /// <summary>The file's content for the announced VIPs (an empty list gives a file with only the comment: nothing announced).</summary>
    public static string Render(IEnumerable<VipAnnouncement> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        var text = new StringBuilder("# Written by lvsnetd: the VIPs this director announces now. Do not edit.\n");
        foreach (var vip in vips)
        {
            if (vip.Announced)
            {
                text.Append("route ").Append(Ipv4Address.Format(vip.Address)).Append("/32 blackhole;\n");
            }
        }

        return text.ToString();
    }
}

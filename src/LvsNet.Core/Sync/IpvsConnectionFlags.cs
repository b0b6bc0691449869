namespace LvsNet.Core.Sync;

/// <summary>
/// The IPVS connection flags as the sync messages carry them (include/uapi/linux/ip_vs.h,
/// IP_VS_CONN_F_*): bits 0..15 go to the backups.
/// </summary>
public static class IpvsConnectionFlags
{
    /// <summary>Mask of the forwarding method.</summary>
    public const uint ForwardMask = 0x0007;

    /// <summary>Forwarding method NAT (masquerading).</summary>
    public const uint Masquerade = 0x0000;

    /// <summary>Forwarding method local node.</summary>
    public const uint LocalNode = 0x0001;

    /// <summary>Forwarding method tunnel.</summary>
    public const uint Tunnel = 0x0002;

    /// <summary>Forwarding method direct routing.</summary>
    public const uint DirectRoute = 0x0003;

    /// <summary>Forwarding method bypass.</summary>
    public const uint Bypass = 0x0004;

    /// <summary>Forwarding method FULLNAT (the alibaba/LVS kernel fork's value; mainline has none).</summary>
    public const uint FullNat = 0x0005;

    /// <summary>Created by the sync backup.</summary>
    public const uint Sync = 0x0020;

    /// <summary>In the connection table (never sent).</summary>
    public const uint Hashed = 0x0040;

    /// <summary>No reply traffic through the director.</summary>
    public const uint NoOutput = 0x0080;

    /// <summary>Counted as inactive.</summary>
    public const uint Inactive = 0x0100;

    /// <summary>Sequence adjustment out.</summary>
    public const uint OutSeq = 0x0200;

    /// <summary>Sequence adjustment in.</summary>
    public const uint InSeq = 0x0400;

    /// <summary>Both sequence-adjustment flags (IP_VS_CONN_F_SEQ_MASK): a 24-byte sequence option follows.</summary>
    public const uint SeqMask = OutSeq | InSeq;

    /// <summary>Client port not known yet.</summary>
    public const uint NoClientPort = 0x0800;

    /// <summary>A persistence template.</summary>
    public const uint Template = 0x1000;

    /// <summary>One-packet scheduling (never synced).</summary>
    public const uint OnePacket = 0x2000;

    /// <summary>What a backup keeps of a received record (IP_VS_CONN_F_BACKUP_MASK).</summary>
    public const uint BackupMask = ForwardMask | NoOutput | Inactive | SeqMask | NoClientPort | Template;

    /// <summary>What a backup updates on a connection it already has (IP_VS_CONN_F_BACKUP_UPD_MASK).</summary>
    public const uint BackupUpdateMask = Inactive | SeqMask;
}

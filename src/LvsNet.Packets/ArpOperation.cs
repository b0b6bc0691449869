namespace LvsNet.Packets;

/// <summary>ARP operation codes.</summary>
public enum ArpOperation : ushort
{
    /// <summary>who-has.</summary>
    Request = 1,

    /// <summary>is-at.</summary>
    Reply = 2,
}

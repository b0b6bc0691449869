using LvsNet.Packets;

namespace LvsNet.Core.Neighbours;

/// <summary>A neighbour as listed by the control plane.</summary>
/// <param name="Address">The neighbour's IP.</param>
/// <param name="Mac">Its MAC, zero while unknown.</param>
/// <param name="State">The resolution state.</param>
/// <param name="Age">Time since the MAC was last confirmed.</param>
public readonly record struct NeighbourEntry(uint Address, MacAddress Mac, NeighbourState State, TimeSpan Age);

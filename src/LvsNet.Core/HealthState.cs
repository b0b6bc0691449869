namespace LvsNet.Core;

/// <summary>What the checks say about a real server.</summary>
public enum HealthState
{
    /// <summary>Every checker is up (or the server is not checked).</summary>
    Up = 0,

    /// <summary>At least one checker is down.</summary>
    Down = 1,
}

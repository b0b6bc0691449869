namespace LvsNet.Control.Listings;

/// <summary>The one-word state of a real server that the status page, <c>-L --health</c> and <c>top</c> show.</summary>
public static class ServerStates
{
    /// <summary>
    /// The one-word state of a real server in a health listing: up, down, inhibited, quiescent
    /// (weight 0), overloaded, displaced (the sorry server took over), sorry (the sorry server in
    /// use) or standby (an unused sorry server).
    /// </summary>
    public static string Of(ServerListing server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var health = server.Health ?? "";
        if (health.StartsWith("sorry server", StringComparison.Ordinal))
        {
            return health.Contains("in use", StringComparison.Ordinal) ? "sorry" : "standby";
        }

        if (health.StartsWith("down (inhibited)", StringComparison.Ordinal))
        {
            return "inhibited";
        }

        if (health.StartsWith("down", StringComparison.Ordinal))
        {
            return "down";
        }

        if (health.Contains("displaced", StringComparison.Ordinal))
        {
            return "displaced";
        }

        if (server.Overloaded)
        {
            return "overloaded";
        }

        return server.Weight == 0 ? "quiescent" : "up";
    }
}

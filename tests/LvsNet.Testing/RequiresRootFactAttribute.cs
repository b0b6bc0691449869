using Xunit;

namespace LvsNet.Testing;

/// <summary>
/// A fact that needs root (network namespaces, raw sockets, libpcap live capture). It is skipped
/// on a developer machine without root, but never under CI (the CI environment variable is set):
/// there it runs and fails loudly if the environment is missing.
/// </summary>
public sealed class RequiresRootFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute, setting <see cref="FactAttribute.Skip"/> when the test cannot run here.</summary>
    public RequiresRootFactAttribute()
    {
        if (!TestEnvironment.IsRoot && !TestEnvironment.IsCi)
        {
            Skip = "needs root (runs under CI)";
        }
    }
}

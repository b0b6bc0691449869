using Xunit;

namespace LvsNet.Testing;

/// <summary>A theory that needs root; skipped without root on a developer machine, never under CI (see <see cref="RequiresRootFactAttribute"/>).</summary>
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute, setting <see cref="FactAttribute.Skip"/> when the test cannot run here.</summary>
    public RequiresRootTheoryAttribute()
    {
        if (!TestEnvironment.IsRoot && !TestEnvironment.IsCi)
        {
            Skip = "needs root (runs under CI)";
        }
    }
}

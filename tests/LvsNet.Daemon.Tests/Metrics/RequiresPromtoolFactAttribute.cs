using LvsNet.Testing;
using Xunit;

namespace LvsNet.Daemon.Tests.Metrics;

/// <summary>A fact that needs promtool: skipped on a developer machine without it, failing under CI (CI is set).</summary>
public sealed class RequiresPromtoolFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> only outside CI when promtool is missing.</summary>
    public RequiresPromtoolFactAttribute()
    {
        if (Promtool.Path is null && !TestEnvironment.IsCi)
        {
            Skip = "needs promtool (Debian package prometheus; runs under CI)";
        }
    }
}

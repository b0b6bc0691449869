using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>
/// A fact that needs an external program (e.g. tcpdump). Skipped when the program is missing on a
/// developer machine, but never under CI, where a missing install step must fail loudly.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute for <paramref name="program"/>.</summary>
    public RequiresProgramFactAttribute(string program)
    {
        Program = program;
        if (!ExternalCommand.IsAvailable(program) && !TestEnvironment.IsCi)
        {
            Skip = $"needs {program} on PATH (runs under CI)";
        }
    }

    /// <summary>The program required.</summary>
    public string Program { get; }
}

namespace LvsNet.Testing;

/// <summary>Facts about the machine the tests run on.</summary>
public static class TestEnvironment
{
    /// <summary>True when the tests run as root (effective uid 0).</summary>
    public static bool IsRoot { get; } = ReadIsRoot();

    /// <summary>True under CI (the CI environment variable is set to anything but empty or "false").</summary>
    public static bool IsCi { get; } =
        Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && !ci.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository root (the folder holding LvsNet.sln), found by walking up from the test assembly.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static bool ReadIsRoot()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 2 && fields[2] == "0";
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LvsNet.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("LvsNet.sln not found above " + AppContext.BaseDirectory);
    }
}

namespace LvsNet.Daemon.Host;

/// <summary>Runs a host tool (ip, ethtool); a seam so the host preparation is tested without changing the machine.</summary>
internal interface IHostCommandRunner
{
    /// <summary>Runs <paramref name="fileName"/> and returns its exit status and combined output.</summary>
    (int ExitCode, string Output) Run(string fileName, params string[] arguments);
}

/// <summary>Runs the real tools through <see cref="ProcessRunner"/>.</summary>
internal sealed class ProcessCommandRunner : IHostCommandRunner
{
    public static readonly ProcessCommandRunner Instance = new();

    public (int ExitCode, string Output) Run(string fileName, params string[] arguments) => ProcessRunner.Run(fileName, arguments);
}

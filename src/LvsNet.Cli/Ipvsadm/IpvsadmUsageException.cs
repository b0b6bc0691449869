namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// A command line ipvsadm would refuse; the message is ipvsadm's wording where ipvsadm has one,
/// and <see cref="ExitCode"/> is the status ipvsadm exits with (2 for its fail(), 255 for popt
/// errors and "Try ... -h").
/// </summary>
public sealed class IpvsadmUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IpvsadmUsageException(string message, int exitCode = 2)
        : base(message) => ExitCode = exitCode;

    /// <summary>Creates the exception with status 2.</summary>
    public IpvsadmUsageException(string message, Exception innerException)
        : base(message, innerException) => ExitCode = 2;

    /// <summary>Creates the exception with no detail.</summary>
    public IpvsadmUsageException()
        : this("invalid command line")
    {
    }

    /// <summary>The process exit status.</summary>
    public int ExitCode { get; }

    /// <summary>True when the message is the "Try `ipvsadm -h' ..." hint only.</summary>
    public bool IsTryHelp { get; init; }
}

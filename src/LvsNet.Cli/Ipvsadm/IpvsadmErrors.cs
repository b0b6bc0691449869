namespace LvsNet.Cli.Ipvsadm;

/// <summary>The three kinds of refusal ipvsadm has, with its exit statuses.</summary>
internal static class IpvsadmErrors
{
    /// <summary>ipvsadm's fail(2, ...).</summary>
    public static IpvsadmUsageException Fail(string message) => new(message, 2);

    /// <summary>A popt error ("-q: unknown option"), exit status 255.</summary>
    public static IpvsadmUsageException Popt(string arg, string error) => new($"{arg}: {error}", 255);

    /// <summary>A feature ipvsadm has and LvsNet does not yet: said plainly, exit status 2.</summary>
    public static IpvsadmUsageException Unsupported(string what, string feature, string hint = "") => new($"{what}: LvsNet does not support {feature} yet{hint}", 2);
}

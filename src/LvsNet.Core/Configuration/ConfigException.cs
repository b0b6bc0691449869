namespace LvsNet.Core.Configuration;

/// <summary>A configuration was rejected; <see cref="Errors"/> lists every problem found.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string source, IReadOnlyList<ConfigError> errors)
        : base($"{source}: {errors.Count} configuration error(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>Creates an exception with a single message.</summary>
    public ConfigException(string message)
        : base(message)
    {
        Errors = [new ConfigError("", null, message)];
    }

    /// <summary>Creates an exception with a single message and its cause.</summary>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigError("", null, message)];
    }

    /// <summary>Creates an exception with no detail.</summary>
    public ConfigException()
        : this("invalid configuration")
    {
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}

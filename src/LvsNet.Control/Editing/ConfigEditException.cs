namespace LvsNet.Control.Editing;

/// <summary>An ipvsadm editing command could not be applied (the message is ipvsadm's, such as "No such service").</summary>
public sealed class ConfigEditException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigEditException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for an operation of a restore file.</summary>
    public ConfigEditException(string message, int? line)
        : base(message) => Line = line;

    /// <summary>Creates the exception with its cause.</summary>
    public ConfigEditException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no detail.</summary>
    public ConfigEditException()
        : this("invalid operation")
    {
    }

    /// <summary>The restore-file line of the failing operation, when it came from one.</summary>
    public int? Line { get; }

    /// <summary>The message with its line, as lvsnetadm prints it.</summary>
    public string Describe() => Line is { } line ? $"line {line}: {Message}" : Message;
}

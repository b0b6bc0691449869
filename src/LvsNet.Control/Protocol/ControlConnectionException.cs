namespace LvsNet.Control.Protocol;

/// <summary>The command socket could not be reached or answered with something that is not a response.</summary>
public sealed class ControlConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ControlConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ControlConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no detail.</summary>
    public ControlConnectionException()
        : this("the command socket did not answer")
    {
    }
}

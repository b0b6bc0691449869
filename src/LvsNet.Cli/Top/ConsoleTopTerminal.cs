namespace LvsNet.Cli.Top;

/// <summary>The process's console as <c>top</c>'s terminal (keys without echo, size from the tty).</summary>
public sealed class ConsoleTopTerminal : ITopTerminal
{
    /// <inheritdoc />
    public int Width => Try(() => Console.WindowWidth);

    /// <inheritdoc />
    public int Height => Try(() => Console.WindowHeight);

    /// <inheritdoc />
    public bool Interactive => !Console.IsInputRedirected && !Console.IsOutputRedirected;

    /// <inheritdoc />
    public bool TryReadKey(out char key)
    {
        key = '\0';
        if (!Interactive || !Console.KeyAvailable)
        {
            return false;
        }

        key = Console.ReadKey(intercept: true).KeyChar;
        return true;
    }

    private static int Try(Func<int> read)
    {
        try
        {
            return Math.Max(0, read());
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

namespace LvsNet.Cli.Top;

/// <summary>What <c>lvsnetadm top</c> needs of its terminal: its size and the keys pressed.</summary>
public interface ITopTerminal
{
    /// <summary>The columns, or 0 when unknown (lines are not cut).</summary>
    int Width { get; }

    /// <summary>The rows, or 0 when unknown (frames are not cut).</summary>
    int Height { get; }

    /// <summary>True when keys can be read (an interactive terminal).</summary>
    bool Interactive { get; }

    /// <summary>A key pressed since the last call, without waiting.</summary>
    bool TryReadKey(out char key);
}

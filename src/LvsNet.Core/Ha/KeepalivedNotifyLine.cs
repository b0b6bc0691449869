using LvsNet.Core.Configuration;

namespace LvsNet.Core.Ha;

/// <summary>
/// One line keepalived writes to its <c>notify_fifo</c>: <c>TYPE "NAME" STATE PRIORITY</c>, for
/// example <c>INSTANCE "VI_1" MASTER 100</c> or <c>GROUP "G1" BACKUP</c> (keepalived's
/// doc/samples/sample_notify_fifo.sh; checker lines such as <c>VS</c> and <c>RS</c> share the FIFO
/// when it is the global <c>notify_fifo</c>).
/// </summary>
/// <param name="Type">INSTANCE, GROUP, or another word (ignored by the role follower).</param>
/// <param name="Name">The instance or group name, without the quotes.</param>
/// <param name="State">The state word: MASTER, BACKUP, FAULT, STOP, DELETED, …</param>
public readonly record struct KeepalivedNotifyLine(string Type, string Name, string State)
{
    /// <summary>The longest line read; keepalived's are far shorter, anything longer is not one of them.</summary>
    public const int MaxLength = 512;

    /// <summary>Parses a line (without its newline); false for anything that is not <c>WORD "NAME" WORD …</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> line, out KeepalivedNotifyLine parsed)
    {
        parsed = default;
        line = line.TrimEnd('\r');
        if (line.Length is 0 or > MaxLength)
        {
            return false;
        }

        var space = line.IndexOf(' ');
        if (space <= 0 || space + 1 >= line.Length || line[space + 1] != '"')
        {
            return false;
        }

        var type = line[..space];
        var rest = line[(space + 2)..];
        var close = rest.IndexOf('"');
        if (close <= 0 || close + 1 >= rest.Length || rest[close + 1] != ' ')
        {
            return false;
        }

        var name = rest[..close];
        var tail = rest[(close + 2)..];
        var end = tail.IndexOf(' ');
        var state = end < 0 ? tail : tail[..end];
        if (state.Length == 0 || !IsWord(type) || !IsWord(state))
        {
            return false;
        }

        parsed = new KeepalivedNotifyLine(type.ToString(), name.ToString(), state.ToString());
        return true;
    }

    /// <summary>
    /// The role this line gives the director when it is about <paramref name="instance"/> (an
    /// INSTANCE or GROUP of that name; any INSTANCE when null): MASTER, BACKUP or FAULT. STOP and
    /// DELETED give none (keepalived stopping: its next start reports a state again), as the
    /// shipped notify script does.
    /// </summary>
    public bool TryGetRole(string? instance, out DirectorRole role)
    {
        role = DirectorRole.Backup;
        var about = instance is null
            ? Type == "INSTANCE"
            : Type is "INSTANCE" or "GROUP" && Name == instance;
        return about && State is "MASTER" or "BACKUP" or "FAULT" && DirectorRoleState.TryParse(State, out role);
    }

    private static bool IsWord(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (!char.IsAsciiLetterUpper(c) && c != '_')
            {
                return false;
            }
        }

        return word.Length > 0;
    }
}

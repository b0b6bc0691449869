using LvsNet.Core.Configuration;

namespace LvsNet.Core.Ha;

/// <summary>
/// The director's current high-availability role, set by the control plane (lvsnetadm, called from
/// keepalived's notify scripts) and read by the capture threads once per batch.
/// </summary>
/// <remarks>
/// Thread contract: <see cref="Set"/> from any thread (serialised by a lock); <see cref="Role"/> and
/// <see cref="Masterships"/> are plain volatile reads, so the data path takes no lock. A capture
/// thread that sees <see cref="Masterships"/> move knows the director became master since its last
/// batch (even when it missed a master→backup→master flap) and announces the addresses.
/// </remarks>
public sealed class DirectorRoleState
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private volatile int _role;
    private volatile int _masterships;
    private long _changes;
    private DateTimeOffset _changedAt;

    /// <summary>Creates the state in <paramref name="initial"/>.</summary>
    public DirectorRoleState(DirectorRole initial, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _role = (int)initial;
        _masterships = initial == DirectorRole.Master ? 1 : 0;
        _changedAt = _time.GetUtcNow();
    }

    /// <summary>Raised after every change, on the thread that called <see cref="Set"/>: the old role, then the new one.</summary>
    public event Action<DirectorRole, DirectorRole>? Changed;

    /// <summary>The current role.</summary>
    public DirectorRole Role => (DirectorRole)_role;

    /// <summary>True while master: the data path answers ARP for the owned addresses and forwards.</summary>
    public bool IsActive => _role == (int)DirectorRole.Master;

    /// <summary>How many times the director became master (including a start as master).</summary>
    public int Masterships => _masterships;

    /// <summary>Role changes since start.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>When the role last changed (or the daemon started).</summary>
    public DateTimeOffset ChangedAt
    {
        get
        {
            lock (_gate)
            {
                return _changedAt;
            }
        }
    }

    /// <summary>Sets the role.</summary>
    /// <returns>The previous role.</returns>
    public DirectorRole Set(DirectorRole role)
    {
        DirectorRole old;
        lock (_gate)
        {
            old = (DirectorRole)_role;
            if (old == role)
            {
                return old;
            }

            if (role == DirectorRole.Master)
            {
                _masterships++;
            }

            _role = (int)role;
            _changedAt = _time.GetUtcNow();
            Interlocked.Increment(ref _changes);
        }

        Changed?.Invoke(old, role);
        return old;
    }

    /// <summary>The role's name as keepalived prints it (MASTER, BACKUP, FAULT).</summary>
    public static string Name(DirectorRole role) => role switch
    {
        DirectorRole.Master => "MASTER",
        DirectorRole.Backup => "BACKUP",
        _ => "FAULT",
    };

    /// <summary>Parses master, backup or fault (any case, as keepalived's notify passes them).</summary>
    public static bool TryParse(string? text, out DirectorRole role)
    {
        switch (text?.ToUpperInvariant())
        {
            case "MASTER": role = DirectorRole.Master; return true;
            case "BACKUP": role = DirectorRole.Backup; return true;
            case "FAULT": role = DirectorRole.Fault; return true;
            default: role = DirectorRole.Backup; return false;
        }
    }
}

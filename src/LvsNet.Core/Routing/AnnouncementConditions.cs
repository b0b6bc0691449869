namespace LvsNet.Core.Routing;

/// <summary>The director-wide facts the announcement depends on, sampled by the control plane.</summary>
/// <param name="CaptureRunning">The capture threads run and advanced recently (not stopped, not stalled).</param>
/// <param name="Drained">The operator drained the director (<c>lvsnetadm drain</c>).</param>
/// <param name="RoleActive">The HA role lets the director forward (MASTER; a lone director starts as master).</param>
public readonly record struct AnnouncementConditions(bool CaptureRunning, bool Drained, bool RoleActive);

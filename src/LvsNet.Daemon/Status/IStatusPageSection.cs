namespace LvsNet.Daemon.Status;

/// <summary>
/// A section another part of the daemon adds to the status page (and to <c>/status.json</c>), for
/// example the VRRP role and connection sync, or the route announcements: a title and name/value
/// rows read when the page is rendered. Register implementations as singletons of this interface;
/// the page shows them in registration order after the services.
/// </summary>
public interface IStatusPageSection
{
    /// <summary>The section's heading ("High availability").</summary>
    string Title { get; }

    /// <summary>The rows to show now (name, value); read on the page's thread, never on the data path.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Rows();
}

using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

/// <summary>A libpcap or libc call made by the binding failed.</summary>
public sealed class PcapException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public PcapException()
        : this("A libpcap call failed.")
    {
    }

    /// <summary>Creates an exception with a message and no step.</summary>
    public PcapException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public PcapException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Step = string.Empty;
    }

    /// <summary>Creates an exception naming the failing step and its native status.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="step">The native function that failed, e.g. <c>pcap_activate</c>.</param>
    /// <param name="statusCode">The native status (see <see cref="StatusCode"/>).</param>
    public PcapException(string message, string step, int statusCode)
        : base(message)
    {
        Step = step;
        StatusCode = statusCode;
    }

    /// <summary>The native function that failed (<c>pcap_activate</c>, <c>pcap_next_ex</c>, <c>poll</c>, ...).</summary>
    public string Step { get; }

    /// <summary>
    /// The native status: for <c>pcap_*</c> steps libpcap's return value (negative PCAP_ERROR_* codes,
    /// e.g. -8 for PCAP_ERROR_PERM_DENIED); for libc steps (<c>poll</c>, <c>eventfd</c>, ...) the errno value.
    /// </summary>
    public int StatusCode { get; }

    // pcap_statustostr returns a static string; libpcap has been loaded by the failed call already.
    private static unsafe string StatusText(int status) =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)Interop.Pcap.pcap_statustostr(status)) ?? $"status {status}";

    /// <summary>Builds the exception for a failed open-time pcap call on a named device.</summary>
    internal static PcapException FromStatus(string step, string device, int status, string? detail)
    {
        var statusText = StatusText(status);
        var message = $"{step} failed on '{device}': {statusText} ({status})";

        // For some codes pcap_geterr just repeats pcap_statustostr.
        if (!string.IsNullOrEmpty(detail) && detail != statusText)
        {
            message += ": " + detail;
        }

        if (status is Interop.Pcap.ErrorPermissionDenied or Interop.Pcap.ErrorPromiscuousPermissionDenied)
        {
            message += ". Capturing and injecting need CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode): " +
                "run as root or grant them with 'setcap cap_net_raw,cap_net_admin+ep' on the executable.";
        }

        return new PcapException(message, step, status);
    }

    /// <summary>Builds the exception for a failed libc call.</summary>
    internal static PcapException FromErrno(string step, int errno) =>
        new($"{step} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", step, errno);
}

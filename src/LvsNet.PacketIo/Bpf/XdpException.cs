using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.Bpf;

/// <summary>The AF_XDP backend could not be set up or used: the kernel refused a step (BPF, XDP, AF_XDP).</summary>
/// <remarks>
/// The message names the failing step and the errno text, adds a hint for the usual causes (no
/// CAP_BPF/CAP_NET_ADMIN, a program already attached) and says that the <c>pcap</c> and
/// <c>afpacket</c> backends remain available as a fallback.
/// </remarks>
public sealed class XdpException : Exception
{
    /// <summary>The sentence every setup failure ends with.</summary>
    internal const string FallbackHint = "The 'pcap' or 'afpacket' backend works without XDP and can be used instead.";

    /// <summary>Creates an exception with a default message.</summary>
    public XdpException()
        : this("An AF_XDP or BPF call failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public XdpException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public XdpException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Step = string.Empty;
    }

    /// <summary>Creates an exception naming the failing step and its errno.</summary>
    public XdpException(string message, string step, int errorNumber)
        : base(message)
    {
        Step = step;
        ErrorNumber = errorNumber;
    }

    /// <summary>The step that failed, e.g. <c>bpf(BPF_PROG_LOAD)</c> or <c>bind(AF_XDP)</c>.</summary>
    public string Step { get; }

    /// <summary>The errno value the kernel returned (0 when the failure was not a system call).</summary>
    public int ErrorNumber { get; }

    /// <summary>Builds the exception for a failed system call, with the hint and the fallback sentence.</summary>
    internal static XdpException FromErrno(string step, int errno, string? detail = null)
    {
        var message = $"{step} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        if (!string.IsNullOrEmpty(detail))
        {
            message += ": " + detail;
        }

        if (errno == Interop.Libc.EPERM)
        {
            message += ". AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or root), and a kernel with BPF enabled";
        }
        else if (errno == Interop.Libc.EBUSY)
        {
            message += ". Another XDP program is probably attached to the interface (see 'ip link show')";
        }

        return new XdpException(message.TrimEnd('.') + ". " + FallbackHint, step, errno);
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace LvsNet.PacketIo.Pcap;

/// <summary>Locates and describes the native libpcap library.</summary>
/// <remarks>
/// The imports name the library <c>libpcap</c>. Debian's runtime package <c>libpcap0.8</c> ships only
/// <c>libpcap.so.0.8</c>; the unversioned <c>libpcap.so</c> comes with <c>libpcap-dev</c>; other
/// distributions use <c>libpcap.so.1</c>. A resolver installed once for this assembly tries them in
/// that order and fails with one exception that names the package to install.
/// </remarks>
public static class PcapLibrary
{
    /// <summary>The Debian/Ubuntu package that provides the runtime library.</summary>
    public const string DebianPackage = "libpcap0.8";

    private static readonly string[] FileNames = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"];

    private static readonly Lock LoadLock = new();
    private static readonly Lock CompileLock = new();
    private static nint _library;

    static PcapLibrary()
    {
        NativeLibrary.SetDllImportResolver(typeof(PcapLibrary).Assembly, Resolve);
    }

    /// <summary>The file names tried, in order, when loading libpcap.</summary>
    public static IReadOnlyList<string> CandidateFileNames => FileNames;

    /// <summary>The text of <c>pcap_lib_version()</c>, e.g. "libpcap version 1.10.3 (with TPACKET_V3)".</summary>
    /// <exception cref="DllNotFoundException">libpcap is not installed.</exception>
    public static unsafe string Version
    {
        get
        {
            EnsureInitialized();
            return ReadNativeString(Interop.Pcap.pcap_lib_version(), int.MaxValue);
        }
    }

    /// <summary>
    /// Compiles <paramref name="filter"/> for Ethernet without opening a device, so configuration can
    /// reject a bad filter before any capture starts.
    /// </summary>
    /// <param name="filter">The filter expression (pcap-filter(7) syntax).</param>
    /// <param name="error">libpcap's error text when the filter does not compile.</param>
    /// <returns><see langword="true"/> when the filter compiles.</returns>
    public static bool TryValidateFilter(string filter, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(filter);
        EnsureInitialized();

        // pcap_open_dead gives a handle that pcap_compile accepts without any privilege.
        using var handle = Interop.Pcap.pcap_open_dead(Interop.Pcap.LinkTypeEthernet, DeviceConfiguration.DefaultSnapLength);
        if (handle.IsInvalid)
        {
            throw new PcapException("pcap_open_dead failed.", "pcap_open_dead", Interop.Pcap.Error);
        }

        using var program = new BpfProgramHandle();
        if (Compile(handle, program, filter) != 0)
        {
            error = GetError(handle);
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Makes sure the resolver is installed and the platform matches the native structure layouts.</summary>
    /// <exception cref="PlatformNotSupportedException">Not 64-bit Linux.</exception>
    internal static unsafe void EnsureInitialized()
    {
        // Touching this method runs the static constructor (the resolver) first. The layouts in
        // Interop are those of 64-bit Linux; anywhere else they would silently misread memory.
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess ||
            sizeof(Interop.Pcap.PcapPacketHeader) != Interop.Pcap.PcapPacketHeader.NativeSize ||
            sizeof(Interop.Pcap.BpfProgram) != 16)
        {
            throw new PlatformNotSupportedException(
                "LvsNet supports 64-bit Linux only (struct pcap_pkthdr must be 24 bytes).");
        }
    }

    /// <summary>Loads the first of <paramref name="fileNames"/> that the dynamic loader finds.</summary>
    /// <exception cref="DllNotFoundException">None could be loaded; the message names <see cref="DebianPackage"/>.</exception>
    internal static nint LoadFirst(IReadOnlyList<string> fileNames)
    {
        foreach (var name in fileNames)
        {
            if (NativeLibrary.TryLoad(name, out var library))
            {
                return library;
            }
        }

        throw new DllNotFoundException(
            $"libpcap could not be loaded (tried {string.Join(", ", fileNames)}). " +
            $"Install it with 'apt-get install {DebianPackage}' on Debian/Ubuntu (the libpcap package elsewhere).");
    }

    /// <summary>pcap_compile, serialised: older libpcap releases keep parser state in globals (sharppcap#311).</summary>
    internal static int Compile(PcapHandle handle, BpfProgramHandle program, string filter)
    {
        lock (CompileLock)
        {
            return Interop.Pcap.pcap_compile(handle, program, filter, optimize: 1, Interop.Pcap.NetmaskUnknown);
        }
    }

    /// <summary>Returns libpcap's description of a status code (<c>pcap_statustostr</c>).</summary>
    internal static unsafe string StatusToString(int status) =>
        ReadNativeString(Interop.Pcap.pcap_statustostr(status), Interop.Pcap.ErrorBufferSize);

    /// <summary>Returns the handle's last error text (<c>pcap_geterr</c>).</summary>
    internal static unsafe string GetError(PcapHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return GetError(handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Returns the last error text of a raw handle the caller keeps alive.</summary>
    internal static unsafe string GetError(nint handle) =>
        ReadNativeString(Interop.Pcap.pcap_geterr(handle), Interop.Pcap.ErrorBufferSize);

    /// <summary>Decodes a NUL-terminated UTF-8 string, reading at most <paramref name="maxLength"/> bytes.</summary>
    internal static unsafe string ReadNativeString(byte* text, int maxLength)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var length = 0;
        while (length < maxLength && text[length] != 0)
        {
            length++;
        }

        return Encoding.UTF8.GetString(text, length);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Interop.Libraries.Pcap)
        {
            // "libc" and anything else: the runtime's default probing (it maps "libc" to libc.so.6).
            return 0;
        }

        lock (LoadLock)
        {
            if (_library == 0)
            {
                _library = LoadFirst(FileNames);
            }

            return _library;
        }
    }
}

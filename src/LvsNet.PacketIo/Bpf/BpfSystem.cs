using System.Runtime.InteropServices;
using System.Text;
using LvsNet.PacketIo.AfXdp;

namespace LvsNet.PacketIo.Bpf;

/// <summary>The bpf(2) operations of the XDP backend: create maps, load and attach a program, update elements.</summary>
internal static unsafe class BpfSystem
{
    /// <summary>Size of the verifier log buffer: the log of the refused address-filter program fits many times over.</summary>
    private const int VerifierLogSizeBytes = 64 * 1024;

    /// <summary>Creates a map and returns its descriptor.</summary>
    /// <exception cref="XdpException">The kernel refused.</exception>
    public static FileDescriptorHandle CreateMap(uint mapType, uint keySize, uint valueSize, uint maxEntries, string name)
    {
        var attr = new Interop.Bpf.MapCreateAttr
        {
            MapType = mapType,
            KeySize = keySize,
            ValueSize = valueSize,
            MaxEntries = maxEntries,
        };
        CopyName(name, attr.MapName);
        var fd = Interop.Bpf.Call(Interop.Bpf.BPF_MAP_CREATE, ref attr);
        if (fd < 0)
        {
            throw XdpException.FromErrno($"bpf(BPF_MAP_CREATE, {name})", Marshal.GetLastPInvokeError());
        }

        return FileDescriptorHandle.Adopt(fd);
    }

    /// <summary>Loads an XDP program; when the verifier refuses it, its log is part of the exception.</summary>
    /// <param name="program">The instructions.</param>
    /// <param name="name">The program's name (at most 15 characters are kept).</param>
    /// <param name="boundInterfaceIndex">
    /// 0 for a program that can be attached anywhere; otherwise the interface (in the calling thread's network
    /// namespace) the program is bound to with BPF_F_XDP_DEV_BOUND_ONLY, which lets it call that device's XDP
    /// metadata kfuncs and allows it to be attached only there, in native mode.
    /// </param>
    /// <exception cref="XdpException">The kernel refused the program.</exception>
    public static FileDescriptorHandle LoadXdpProgram(ReadOnlySpan<BpfInstruction> program, string name, int boundInterfaceIndex = 0) =>
        LoadProgram(program, name, Interop.Bpf.BPF_PROG_TYPE_XDP, Interop.Bpf.BPF_XDP, boundInterfaceIndex == 0 ? 0 : Interop.Bpf.BPF_F_XDP_DEV_BOUND_ONLY, boundInterfaceIndex);

    /// <summary>Loads a program of any type; when the verifier refuses it, its log is part of the exception.</summary>
    /// <exception cref="XdpException">The kernel refused the program.</exception>
    public static FileDescriptorHandle LoadProgram(ReadOnlySpan<BpfInstruction> program, string name, uint programType, uint expectedAttachType, uint flags = 0, int boundInterfaceIndex = 0)
    {
        // The license string is read as a C string: NUL-terminated.
        var license = "GPL\0"u8;
        fixed (BpfInstruction* instructions = program)
        fixed (byte* licenseText = license)
        {
            var attr = new Interop.Bpf.ProgLoadAttr
            {
                ProgramType = programType,
                InstructionCount = (uint)program.Length,
                Instructions = (ulong)instructions,
                License = (ulong)licenseText,
                ExpectedAttachType = expectedAttachType,
                ProgramFlags = flags,
                ProgramInterfaceIndex = (uint)boundInterfaceIndex,
            };
            CopyName(name, attr.ProgramName);

            // First without a log (cheaper); on failure again with log level 1 to say why.
            var fd = Interop.Bpf.Call(Interop.Bpf.BPF_PROG_LOAD, ref attr);
            if (fd >= 0)
            {
                return FileDescriptorHandle.Adopt(fd);
            }

            var log = new byte[VerifierLogSizeBytes];
            fixed (byte* logBuffer = log)
            {
                attr.LogLevel = 1;
                attr.LogSize = (uint)log.Length;
                attr.LogBuffer = (ulong)logBuffer;
                fd = Interop.Bpf.Call(Interop.Bpf.BPF_PROG_LOAD, ref attr);
            }

            if (fd >= 0)
            {
                return FileDescriptorHandle.Adopt(fd);
            }

            var errno = Marshal.GetLastPInvokeError();
            var length = Array.IndexOf(log, (byte)0);
            var text = Encoding.UTF8.GetString(log, 0, length < 0 ? log.Length : length).Trim();
            throw XdpException.FromErrno($"bpf(BPF_PROG_LOAD, {name})", errno,
                text.Length == 0 ? null : "verifier log: " + text);
        }
    }

    /// <summary>Attaches an XDP program to an interface with a BPF link; closing the link detaches it.</summary>
    /// <exception cref="XdpException">The kernel refused (EBUSY: another program is attached; EOPNOTSUPP: no native XDP).</exception>
    public static FileDescriptorHandle CreateXdpLink(FileDescriptorHandle program, int interfaceIndex, uint xdpFlags, string interfaceName) =>
        CreateLink(program, interfaceIndex, Interop.Bpf.BPF_XDP, xdpFlags, $"XDP {(xdpFlags == Interop.Bpf.XDP_FLAGS_DRV_MODE ? "native" : "generic")} mode on '{interfaceName}'");

    /// <summary>Attaches a program to an interface with a BPF link of the given attach type; closing the link detaches it.</summary>
    /// <exception cref="XdpException">The kernel refused.</exception>
    public static FileDescriptorHandle CreateLink(FileDescriptorHandle program, int interfaceIndex, uint attachType, uint flags, string description)
    {
        var added = false;
        try
        {
            program.DangerousAddRef(ref added);
            var attr = new Interop.Bpf.LinkCreateAttr
            {
                ProgramFd = (uint)program.FileDescriptor,
                TargetInterfaceIndex = (uint)interfaceIndex,
                AttachType = attachType,
                Flags = flags,
            };
            var fd = Interop.Bpf.Call(Interop.Bpf.BPF_LINK_CREATE, ref attr);
            if (fd < 0)
            {
                throw XdpException.FromErrno($"bpf(BPF_LINK_CREATE, {description})", Marshal.GetLastPInvokeError());
            }

            return FileDescriptorHandle.Adopt(fd);
        }
        finally
        {
            if (added)
            {
                program.DangerousRelease();
            }
        }
    }

    /// <summary>Creates or replaces one element of a map with 4-byte keys and values.</summary>
    /// <returns>0, or the errno value of the failure.</returns>
    public static int UpdateElement(FileDescriptorHandle map, uint key, uint value)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
            var attr = new Interop.Bpf.MapElementAttr
            {
                MapFd = (uint)map.FileDescriptor,
                Key = (ulong)&key,
                Value = (ulong)&value,
                Flags = Interop.Bpf.BPF_ANY,
            };
            return Interop.Bpf.Call(Interop.Bpf.BPF_MAP_UPDATE_ELEM, ref attr) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                map.DangerousRelease();
            }
        }
    }

    /// <summary>Deletes one element of a map with 4-byte keys.</summary>
    /// <returns>0, or the errno value of the failure (ENOENT when it was absent).</returns>
    public static int DeleteElement(FileDescriptorHandle map, uint key)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
            var attr = new Interop.Bpf.MapElementAttr
            {
                MapFd = (uint)map.FileDescriptor,
                Key = (ulong)&key,
            };
            return Interop.Bpf.Call(Interop.Bpf.BPF_MAP_DELETE_ELEM, ref attr) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                map.DangerousRelease();
            }
        }
    }

    /// <summary>Creates or replaces one element of a map with keys of <paramref name="key"/>'s length and 4-byte values.</summary>
    /// <returns>0, or the errno value of the failure.</returns>
    public static int UpdateElement(FileDescriptorHandle map, ReadOnlySpan<byte> key, uint value)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
            fixed (byte* keyBytes = key)
            {
                var attr = new Interop.Bpf.MapElementAttr
                {
                    MapFd = (uint)map.FileDescriptor,
                    Key = (ulong)keyBytes,
                    Value = (ulong)&value,
                    Flags = Interop.Bpf.BPF_ANY,
                };
                return Interop.Bpf.Call(Interop.Bpf.BPF_MAP_UPDATE_ELEM, ref attr) == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            if (added)
            {
                map.DangerousRelease();
            }
        }
    }

    /// <summary>Deletes one element of a map with keys of <paramref name="key"/>'s length.</summary>
    /// <returns>0, or the errno value of the failure (ENOENT when it was absent).</returns>
    public static int DeleteElement(FileDescriptorHandle map, ReadOnlySpan<byte> key)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
            fixed (byte* keyBytes = key)
            {
                var attr = new Interop.Bpf.MapElementAttr
                {
                    MapFd = (uint)map.FileDescriptor,
                    Key = (ulong)keyBytes,
                };
                return Interop.Bpf.Call(Interop.Bpf.BPF_MAP_DELETE_ELEM, ref attr) == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            if (added)
            {
                map.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Reads element <paramref name="key"/> of a BPF_MAP_TYPE_PERCPU_ARRAY of u64 values and returns the sum of
    /// the values of every CPU.
    /// </summary>
    /// <exception cref="XdpException">The kernel refused the lookup.</exception>
    public static ulong SumPerCpuElement(FileDescriptorHandle map, uint key)
    {
        // The kernel copies one 8-byte-aligned value per possible CPU.
        var values = stackalloc ulong[PossibleCpuCount];
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
            var attr = new Interop.Bpf.MapElementAttr
            {
                MapFd = (uint)map.FileDescriptor,
                Key = (ulong)&key,
                Value = (ulong)values,
            };
            if (Interop.Bpf.Call(Interop.Bpf.BPF_MAP_LOOKUP_ELEM, ref attr) != 0)
            {
                throw XdpException.FromErrno("bpf(BPF_MAP_LOOKUP_ELEM)", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added)
            {
                map.DangerousRelease();
            }
        }

        var sum = 0UL;
        for (var i = 0; i < PossibleCpuCount; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    /// <summary>
    /// Runs a loaded XDP program once over <paramref name="frame"/> (BPF_PROG_TEST_RUN, receive queue 0) and
    /// returns its verdict; nothing is sent or received. Used by tests to check the program in the kernel.
    /// </summary>
    /// <exception cref="XdpException">The kernel refused (a frame shorter than 14 bytes is refused).</exception>
    public static int TestRunXdp(FileDescriptorHandle program, ReadOnlySpan<byte> frame)
    {
        var added = false;
        var output = new byte[frame.Length + 256];
        try
        {
            program.DangerousAddRef(ref added);
            fixed (byte* input = frame)
            fixed (byte* outputBytes = output)
            {
                var attr = new Interop.Bpf.ProgTestRunAttr
                {
                    ProgramFd = (uint)program.FileDescriptor,
                    DataSizeIn = (uint)frame.Length,
                    DataSizeOut = (uint)output.Length,
                    DataIn = (ulong)input,
                    DataOut = (ulong)outputBytes,
                    Repeat = 1,
                };
                if (Interop.Bpf.Call(Interop.Bpf.BPF_PROG_TEST_RUN, ref attr) != 0)
                {
                    throw XdpException.FromErrno("bpf(BPF_PROG_TEST_RUN)", Marshal.GetLastPInvokeError());
                }

                return (int)attr.ReturnValue;
            }
        }
        finally
        {
            if (added)
            {
                program.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The number of value slots a per-CPU map lookup fills: the highest possible CPU number plus one, read
    /// from the kernel's list ("0-3", "0,2-5"); never less than the processors the runtime sees.
    /// </summary>
    private static int PossibleCpuCount => s_possibleCpuCount ??= ReadPossibleCpuCount();

    private static int? s_possibleCpuCount;

    private static int ReadPossibleCpuCount()
    {
        var highest = Environment.ProcessorCount - 1;
        try
        {
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/possible").Trim().Split(','))
            {
                var last = range[(range.IndexOf('-', StringComparison.Ordinal) + 1)..];
                if (int.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cpu))
                {
                    highest = Math.Max(highest, cpu);
                }
            }
        }
        catch (IOException)
        {
            // Without the file (not Linux sysfs) the runtime's count is the best guess.
        }

        return highest + 1;
    }

    // Object names: at most 15 characters of [A-Za-z0-9_.], NUL-terminated (BPF_OBJ_NAME_LEN 16).
    private static void CopyName(string name, byte* destination)
    {
        var length = Math.Min(name.Length, 15);
        for (var i = 0; i < length; i++)
        {
            destination[i] = (byte)name[i];
        }

        destination[length] = 0;
    }
}

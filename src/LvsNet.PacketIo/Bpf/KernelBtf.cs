namespace LvsNet.PacketIo.Bpf;

/// <summary>Looks up kernel functions (kfuncs) in the running kernel's BTF, which BPF programs call by BTF type id.</summary>
internal static class KernelBtf
{
    /// <summary>Where the kernel exports its own BTF (CONFIG_DEBUG_INFO_BTF).</summary>
    public const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    /// <summary>
    /// The BTF type id of the kernel function <paramref name="name"/> in <paramref name="path"/> (the kernel's
    /// BTF by default), or 0 with <paramref name="problem"/> saying why not (no BTF exported, unreadable,
    /// not a BTF this reader understands, or no such function in this kernel).
    /// </summary>
    public static int FindFunction(string name, out string? problem, string path = VmlinuxPath)
    {
        byte[] blob;
        try
        {
            // About 5 MB, read once per device open, off any per-packet path.
            blob = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"the kernel's BTF ({path}) cannot be read: {ex.Message}";
            return 0;
        }

        try
        {
            var id = BtfReader.FindType(blob, BtfKind.Function, name);
            problem = id == 0 ? $"this kernel has no function {name} in its BTF ({path})" : null;
            return id;
        }
        catch (FormatException ex)
        {
            problem = $"the kernel's BTF ({path}) cannot be read: {ex.Message}";
            return 0;
        }
    }
}

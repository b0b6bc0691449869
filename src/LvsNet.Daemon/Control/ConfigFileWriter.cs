using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;

namespace LvsNet.Daemon.Control;

/// <summary>Writes the running configuration to the YAML file atomically (temporary file, then rename), for <c>--write-config</c>.</summary>
public static class ConfigFileWriter
{
    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>, keeping the file's permissions.</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The daemon may not write the file or its directory.</exception>
    public static void Write(string path, LvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(path);
        var yaml = ConfigYamlWriter.Write(config, [$"Written by lvsnetd --write-config at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z after an lvsnetadm edit.", "Comments of the previous version of this file are not kept."]);

        // Prove the text reads back before it replaces a working file.
        LvsConfigReader.Parse(yaml, path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, yaml);
        try
        {
            if (File.Exists(path) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}

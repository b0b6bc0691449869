using System.Diagnostics;

namespace LvsNet.RealServer;

/// <summary>Runs the host tools (ip, nft) and writes sysctls, reporting every step.</summary>
internal static class HostCommands
{
    public static bool Quiet { get; set; }

    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{file}: {ex.Message}");
        }
    }

    public static (int Code, string Output) RunWithInput(string file, string input, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    /// <summary>Runs a step that must succeed (or is already in the wanted state when <paramref name="alreadyDone"/> appears in the error).</summary>
    public static bool Step(string what, string? alreadyDone, string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        // iproute2 says "File exists" or "Address already assigned" for an address already there.
        if (code == 0 || (alreadyDone is not null && (output.Contains(alreadyDone, StringComparison.OrdinalIgnoreCase) || (alreadyDone == "already" && output.Contains("File exists", StringComparison.Ordinal)))))
        {
            Say($"ok: {what}");
            return true;
        }

        Console.Error.WriteLine($"lvsnet-rs: {what} failed: {output}");
        return false;
    }

    public static bool Sysctl(string name, string value)
    {
        var path = "/proc/sys/" + name.Replace('.', '/');
        try
        {
            File.WriteAllText(path, value + "\n");
            Say($"ok: {name} = {value}");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"lvsnet-rs: cannot set {name}: {ex.Message}");
            return false;
        }
    }

    public static void Say(string line)
    {
        if (!Quiet)
        {
            Console.WriteLine(line);
        }
    }
}

using System.Diagnostics;
using System.Security.Cryptography;

namespace LvsNet.Lab.Tests;

/// <summary>
/// A file of random bytes served over HTTP on port 8081 by every given real server (the same bytes
/// on each, so a download's checksum does not depend on the server it reached).
/// </summary>
internal static class RandomFileServer
{
    /// <summary>Writes big.bin of <paramref name="bytes"/> random bytes under <paramref name="work"/>, serves it from each of <paramref name="realServers"/>, and returns its SHA-256 in lower-case hex.</summary>
    public static string Start(Lab lab, string work, int bytes, List<Process> started, params string[] realServers)
    {
        var www = Path.Combine(work, "www");
        Directory.CreateDirectory(www);
        var content = RandomNumberGenerator.GetBytes(bytes);
        File.WriteAllBytes(Path.Combine(www, "big.bin"), content);
        foreach (var rs in realServers)
        {
            started.Add(lab.Start(rs, "python3", "-m", "http.server", "8081", "--bind", "0.0.0.0", "--directory", www));
        }

        return Convert.ToHexStringLower(SHA256.HashData(content));
    }
}

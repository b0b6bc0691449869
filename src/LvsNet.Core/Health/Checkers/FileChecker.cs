using System.Globalization;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived FILE_CHECK: reads the tracked file and judges its number with
/// <see cref="FileCheckConfig.Judge"/> (state with weight 0, weight offset otherwise).
/// </summary>
public sealed class FileChecker : IHealthChecker
{
    // keepalived reads at most 127 bytes of the file.
    private const int MaxBytes = 127;

    private readonly FileCheckConfig _config;
    private readonly int _configuredWeight;
    private long _lastValue;

    /// <summary>Creates the checker.</summary>
    /// <param name="config">The checker's configuration.</param>
    /// <param name="configuredWeight">The real server's configured weight (the base a weight offset is added to).</param>
    public FileChecker(FileCheckConfig config, int configuredWeight)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _configuredWeight = configuredWeight;
    }

    /// <summary>
    /// Reads a number as keepalived does (C strtol with base 0 over the file's first 127 bytes:
    /// leading spaces, a sign, then decimal, 0x hex or 0 octal digits; anything else ends it). A
    /// missing, empty or non-numeric file reads as 0; null when the number is out of the 32-bit range
    /// (keepalived ignores such a value).
    /// </summary>
    public static long? ParseValue(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 2]))
        {
            radix = 16;
            i += 2;
        }
        else if (i < text.Length && text[i] == '0')
        {
            radix = 8;
        }

        long value = 0;
        for (; i < text.Length; i++)
        {
            var digit = text[i] switch
            {
                >= '0' and <= '9' => text[i] - '0',
                >= 'a' and <= 'f' => text[i] - 'a' + 10,
                >= 'A' and <= 'F' => text[i] - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                break;
            }

            value = (value * radix) + digit;
            if (value > (long)int.MaxValue + 1)
            {
                return null;
            }
        }

        value = negative ? -value : value;
        return value is < int.MinValue or > (long)int.MaxValue + 1 ? null : value;
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            using var stream = new FileStream(_config.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            var buffer = new byte[MaxBytes];
            var length = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            text = System.Text.Encoding.Latin1.GetString(buffer, 0, length);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            text = "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return CheckResult.Failed($"{_config.Path}: {ex.Message}");
        }

        // keepalived ignores an out-of-range number and keeps the value it had.
        var value = ParseValue(text) ?? _lastValue;
        _lastValue = value;

        var (up, weight) = _config.Judge(value, _configuredWeight);
        var message = string.Create(CultureInfo.InvariantCulture, $"{_config.Path}: {value}");
        if (weight is { } w)
        {
            return CheckResult.Passed(string.Create(CultureInfo.InvariantCulture, $"{message}: weight {w}"), weight: w);
        }

        return up ? CheckResult.Passed(message) : CheckResult.Failed(message);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

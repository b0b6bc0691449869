namespace LvsNet.Daemon;

/// <summary>Command-line settings of the daemon.</summary>
public sealed record DaemonOptions
{
    /// <summary>The default configuration file.</summary>
    public const string DefaultConfigPath = "/etc/lvsnet/lvsnet.yaml";

    /// <summary>The YAML configuration file.</summary>
    public string ConfigPath { get; init; } = DefaultConfigPath;

    /// <summary>A file that receives the JSON log as well as stdout, or null.</summary>
    public string? LogFile { get; init; }

    /// <summary>The minimum log level (Verbose, Debug, Information, Warning, Error).</summary>
    public string LogLevel { get; init; } = "Information";

    /// <summary>How often per-server statistics are logged; zero logs them only at stop.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Validate the configuration, print the result and exit.</summary>
    public bool CheckOnly { get; init; }

    /// <summary>The command socket lvsnetadm talks to, or null when it is off (<c>--socket none</c>).</summary>
    public string? SocketPath { get; init; } = LvsNet.Control.Protocol.ControlProtocol.DefaultSocketPath;

    /// <summary>Write every lvsnetadm edit back to <see cref="ConfigPath"/> (comments in the file are not kept).</summary>
    public bool WriteConfig { get; init; }

    /// <summary>The port of the Prometheus endpoint on 127.0.0.1, or null when it is off (the default).</summary>
    public int? MetricsPort { get; init; }

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An unknown option or a missing value; the message says which.</exception>
    public static DaemonOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new DaemonOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"option {arg} needs a value");
                }

                return args[++i];
            }

            options = arg switch
            {
                "--config" or "-c" => options with { ConfigPath = Value() },
                "--log-file" => options with { LogFile = Value() },
                "--log-level" => options with { LogLevel = Value() },
                "--stats-interval" => options with
                {
                    StatsInterval = Core.Configuration.DurationParser.TryParse(Value(), out var interval) && interval >= TimeSpan.Zero
                        ? interval
                        : throw new ArgumentException($"--stats-interval needs a duration such as 10s, got '{args[i]}'"),
                },
                "--check" => options with { CheckOnly = true },
                "--socket" => options with { SocketPath = Value() is "none" or "" ? null : args[i] },
                "--write-config" => options with { WriteConfig = true },
                "--metrics-port" => options with
                {
                    MetricsPort = int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
                        ? (port == 0 ? null : port)
                        : throw new ArgumentException($"--metrics-port needs a port number (1-65535, 0 = off), got '{args[i]}'"),
                },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        return options;
    }

    /// <summary>The usage text.</summary>
    public const string Usage =
        """
        usage: lvsnetd [--config FILE] [--log-file FILE] [--log-level LEVEL] [--stats-interval DURATION] [--check]
                       [--socket PATH|none] [--write-config] [--metrics-port PORT]
          --config FILE         YAML configuration (default /etc/lvsnet/lvsnet.yaml)
          --log-file FILE       also write the JSON log to FILE
          --log-level LEVEL     Verbose, Debug, Information (default), Warning, Error
          --stats-interval D    log per-server statistics every D (default 60s; 0 = only at stop)
          --check               validate the configuration and exit (0 valid, 1 invalid)
          --socket PATH         lvsnetadm's command socket (default /run/lvsnet/lvsnetd.sock; none = off)
          --write-config        write every lvsnetadm edit back to the configuration file
          --metrics-port PORT   serve Prometheus metrics on http://127.0.0.1:PORT/metrics (default off)
        """;
}

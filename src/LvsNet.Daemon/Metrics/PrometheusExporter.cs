using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace LvsNet.Daemon.Metrics;

/// <summary>
/// Collects the observable instruments of one meter on demand and writes them in the Prometheus
/// text exposition format (version 0.0.4): dots become underscores, counters get <c>_total</c>,
/// tags become labels.
/// </summary>
/// <remarks>Only observable instruments are exported (the daemon has no other kind). Scrapes are serialised.</remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The Content-Type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener;
    private readonly Lock _gate = new();
    private readonly List<Instrument> _instruments = [];
    private Dictionary<Instrument, List<(double Value, KeyValuePair<string, object?>[] Tags)>>? _collecting;

    /// <summary>Listens to the instruments of the meter named <paramref name="meterName"/>.</summary>
    public PrometheusExporter(string meterName)
        : this(instrument => instrument.Meter.Name == meterName)
    {
    }

    /// <summary>Listens to the instruments <paramref name="include"/> accepts.</summary>
    public PrometheusExporter(Func<Instrument, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (include(instrument))
                {
                    lock (_gate)
                    {
                        _instruments.Add(instrument);
                    }

                    listener.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (_gate)
                {
                    _instruments.Remove(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Reads every instrument now and returns the exposition text.</summary>
    public string Scrape()
    {
        lock (_gate)
        {
            _collecting = [];
            try
            {
                _listener.RecordObservableInstruments();
                var text = new StringBuilder();
                foreach (var instrument in _instruments)
                {
                    var counter = instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
                    var name = MetricName(instrument.Name, instrument.Unit) + (counter ? "_total" : "");
                    text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(instrument.Description ?? instrument.Name)).Append('\n');
                    text.Append("# TYPE ").Append(name).Append(counter ? " counter\n" : " gauge\n");
                    foreach (var (value, tags) in _collecting.GetValueOrDefault(instrument) ?? [])
                    {
                        text.Append(name);
                        if (tags.Length > 0)
                        {
                            text.Append('{');
                            for (var i = 0; i < tags.Length; i++)
                            {
                                text.Append(i == 0 ? "" : ",").Append(MetricName(tags[i].Key)).Append("=\"").Append(EscapeLabel(Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "")).Append('"');
                            }

                            text.Append('}');
                        }

                        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                    }
                }

                return text.ToString();
            }
            finally
            {
                _collecting = null;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// The Prometheus name of an instrument: <see cref="MetricName(string)"/>, then the base unit as
    /// a suffix (<c>s</c> gives <c>_seconds</c>, <c>By</c> <c>_bytes</c>) unless the name already ends
    /// with it, as Prometheus' naming rules ask. Annotations such as <c>{connection}</c> add nothing.
    /// </summary>
    public static string MetricName(string name, string? unit)
    {
        var result = MetricName(name);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        return suffix is null || result.EndsWith(suffix, StringComparison.Ordinal) ? result : result + suffix;
    }

    /// <summary>A Prometheus metric or label name: [a-zA-Z0-9_], not starting with a digit.</summary>
    public static string MetricName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        if (result.Length == 0 || char.IsAsciiDigit(result[0]))
        {
            result.Insert(0, '_');
        }

        return result.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Called on the scraping thread, inside the lock, by RecordObservableInstruments.
        if (_collecting is null)
        {
            return;
        }

        if (!_collecting.TryGetValue(instrument, out var values))
        {
            values = [];
            _collecting[instrument] = values;
        }

        values.Add((value, tags.ToArray()));
    }

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Debian's chromium, headless, inside one of the lab's namespaces (so it reaches the daemon's
/// loopback endpoint there), driven over the DevTools protocol on its <c>--remote-debugging-pipe</c>:
/// two FIFOs in a temporary directory carry NUL-separated JSON messages, which cross namespaces
/// where a TCP debugging port would not. Every call is bounded in time; disposing closes the
/// browser (killed if it does not exit) and removes its profile.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    /// <summary>Where Debian installs the browser (package chromium, build.sh APT_PACKAGES).</summary>
    public const string Executable = "/usr/bin/chromium";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly FileStream _toBrowser;
    private readonly FileStream _fromBrowser;
    private readonly string _directory;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly Thread _reader;
    private int _nextId;

    private HeadlessChromium(Process process, FileStream toBrowser, FileStream fromBrowser, string directory)
    {
        _process = process;
        _toBrowser = toBrowser;
        _fromBrowser = fromBrowser;
        _directory = directory;
        _reader = new Thread(Read) { IsBackground = true, Name = "cdp-reader" };
        _reader.Start();
    }

    /// <summary>The browser's stderr so far (for failure messages).</summary>
    public string Errors { get; private set; } = "";

    /// <summary>Starts the browser in <paramref name="lab"/>'s <paramref name="role"/> namespace.</summary>
    public static HeadlessChromium Start(Lab lab, string role)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium (build.sh setup installs APT_PACKAGES)");
        }

        var directory = Directory.CreateTempSubdirectory("lvt-chromium-").FullName;
        var input = Path.Combine(directory, "in");
        var output = Path.Combine(directory, "out");
        foreach (var fifo in (string[])[input, output])
        {
            var made = ProcessResult.Run("mkfifo", [fifo], TimeSpan.FromSeconds(5));
            if (made.ExitCode != 0)
            {
                throw new InvalidOperationException("mkfifo failed: " + made.Output);
            }
        }

        // The shell opens fd 3 (the browser reads commands) and fd 4 (it writes answers) on the FIFOs,
        // then becomes ip netns exec, then chromium, keeping them.
        var script = $"exec ip netns exec {lab.Namespace(role)} {Executable} --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check " +
                     $"--user-data-dir={directory}/profile --remote-debugging-pipe about:blank 3<{input} 4>{output}";
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start chromium");

        // Opening a FIFO blocks until its other end is opened: first the one the shell opens first.
        var open = Task.Run(() =>
        {
            var toBrowser = new FileStream(input, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            var fromBrowser = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return (toBrowser, fromBrowser);
        });
        if (!open.Wait(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("chromium did not open its debugging pipe within 20 s");
        }

        var browser = new HeadlessChromium(process, open.Result.toBrowser, open.Result.fromBrowser, directory);
        process.ErrorDataReceived += (_, e) => browser.Errors += e.Data + "\n";
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return browser;
    }

    /// <summary>Opens <paramref name="url"/> in a new tab and returns the tab's session id.</summary>
    public string Open(string url, int width = 1280, int height = 1000, bool mobile = false)
    {
        var target = Send("Target.createTarget", new JsonObject { ["url"] = "about:blank" })["targetId"]!.GetValue<string>();
        var session = Send("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true })["sessionId"]!.GetValue<string>();
        Resize(session, width, height, mobile);
        Send("Page.enable", null, session);
        Send("Page.navigate", new JsonObject { ["url"] = url }, session);
        WaitUntil(session, "document.readyState === 'complete'", TimeSpan.FromSeconds(15));
        return session;
    }

    /// <summary>Sets the tab's viewport (a phone: 390 x 844, mobile).</summary>
    public void Resize(string session, int width, int height, bool mobile) =>
        Send("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = mobile }, session);

    /// <summary>Evaluates a JavaScript expression in the tab and returns its value as JSON.</summary>
    public JsonNode? Evaluate(string session, string expression)
    {
        var result = Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, session);
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"{expression}: {exception.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    /// <summary>Evaluates <paramref name="expression"/> until it is true, failing with its last value after <paramref name="timeout"/>.</summary>
    public void WaitUntil(string session, string expression, TimeSpan timeout, string? describe = null)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = Evaluate(session, expression);
            if (value is JsonValue v && v.TryGetValue<bool>(out var ok) && ok)
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                var state = describe is null ? "" : "\n" + Evaluate(session, describe)?.ToJsonString();
                throw new TimeoutException($"'{expression}' not true within {timeout}{state}");
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>Saves a PNG of the whole page (beyond the viewport) to <paramref name="path"/>.</summary>
    public void Screenshot(string session, string path)
    {
        var data = Send("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, session)["data"]!.GetValue<string>();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Convert.FromBase64String(data));
    }

    /// <summary>Sends one command and waits for its answer.</summary>
    public JsonNode Send(string method, JsonObject? parameters = null, string? session = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        var answer = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        lock (_toBrowser)
        {
            _toBrowser.Write(bytes);
            _toBrowser.WriteByte(0);
            _toBrowser.Flush();
        }

        if (!answer.Task.Wait(CallTimeout))
        {
            _pending.TryRemove(id, out _);
            throw new TimeoutException($"chromium did not answer {method} within {CallTimeout}\n{Errors}");
        }

        var response = answer.Task.Result;
        if (response["error"] is { } error)
        {
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        }

        return response["result"] ?? new JsonObject();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Send("Browser.close");
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            // The browser is gone already; it is killed below if not.
        }

        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _toBrowser.Dispose();
        _fromBrowser.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A child may still be writing its profile; the temporary directory is left behind.
        }
    }

    private void Read()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            int read;
            while ((read = _fromBrowser.Read(buffer)) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != 0)
                    {
                        continue;
                    }

                    message.Write(buffer, start, i - start);
                    start = i + 1;
                    Dispatch(message.ToArray());
                    message.SetLength(0);
                }

                message.Write(buffer, start, read - start);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new IOException("chromium closed its debugging pipe"));
        }
    }

    private void Dispatch(byte[] json)
    {
        var node = JsonNode.Parse(json);
        if (node?["id"] is JsonValue idValue && idValue.TryGetValue<int>(out var id) && _pending.TryRemove(id, out var answer))
        {
            answer.TrySetResult(node);
        }
    }
}

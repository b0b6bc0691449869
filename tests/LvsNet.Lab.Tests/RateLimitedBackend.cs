using System.Globalization;

namespace LvsNet.Lab.Tests;

/// <summary>
/// A second nginx in a lab real server's namespace, on <see cref="Port"/>, whose capacity is capped
/// by <c>limit_req</c> (one shared bucket, a deep burst queue, no <c>nodelay</c>): requests beyond
/// the rate wait in nginx's queue, so the server's latency grows with the load it is given, as a
/// server with less CPU does. The rate changes with <see cref="SetRate"/> (an nginx reload).
/// Every answered request is logged with its time (<c>$msec</c>) for the per-server share.
/// </summary>
/// <remarks>
/// Content is served from files (not <c>return</c>): <c>return</c> runs in the rewrite phase,
/// before <c>limit_req</c>'s preaccess phase, and would bypass the limit. The health path goes
/// through the same queue, so a health check's latency is the server's queueing delay.
/// </remarks>
internal sealed class RateLimitedBackend
{
    /// <summary>The port the capped nginx listens on (every address of the namespace, the VIP on lo included: DR keeps the port).</summary>
    public const int Port = 80;

    private readonly Lab _lab;
    private readonly string _role;
    private readonly string _directory;
    private readonly int _requestsPerConnection;

    public RateLimitedBackend(Lab lab, string role, string directory, int rate, int requestsPerConnection = 1)
    {
        _requestsPerConnection = requestsPerConnection;
        _lab = lab;
        _role = role;
        _directory = Path.Combine(directory, role);
        Directory.CreateDirectory(Path.Combine(_directory, "www"));
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, "tmp", temp));
        }

        // The lab's own nginx holds port 80: stop it (by its configuration in the lab's state dir).
        var labDir = Path.Combine(lab.Env["LVT_STATE_DIR"], role);
        lab.Exec(role, TimeSpan.FromSeconds(20), "nginx", "-p", labDir + "/", "-c", Path.Combine(labDir, "nginx.conf"), "-s", "quit");
        Thread.Sleep(1000);
        File.WriteAllText(Path.Combine(_directory, "www", "index.html"), role + "\n");
        File.WriteAllText(Path.Combine(_directory, "www", "health"), "ok");
        Rate = rate;
        WriteConfig(rate);
        var started = _lab.Exec(_role, TimeSpan.FromSeconds(20), "nginx", "-p", _directory + "/", "-c", ConfigPath);
        if (started.ExitCode != 0)
        {
            throw new InvalidOperationException($"nginx in {role} did not start: {started.Output}");
        }
    }

    /// <summary>The requests per second the server answers at most.</summary>
    public int Rate { get; private set; }

    private string ConfigPath => Path.Combine(_directory, "nginx.conf");

    private string AccessLog => Path.Combine(_directory, "access.log");

    /// <summary>Changes the capacity (nginx reload: new connections see the new rate at once).</summary>
    public void SetRate(int rate)
    {
        WriteConfig(rate);
        var reload = _lab.Exec(_role, TimeSpan.FromSeconds(20), "nginx", "-p", _directory + "/", "-c", ConfigPath, "-s", "reload");
        if (reload.ExitCode != 0)
        {
            throw new InvalidOperationException($"nginx reload in {_role} failed: {reload.Output}");
        }

        Rate = rate;
    }

    /// <summary>The answered requests (not the health checks) whose log time falls in [from, to).</summary>
    public int Requests(DateTimeOffset from, DateTimeOffset to)
    {
        if (!File.Exists(AccessLog))
        {
            return 0;
        }

        var start = from.ToUnixTimeMilliseconds() / 1000.0;
        var end = to.ToUnixTimeMilliseconds() / 1000.0;
        var count = 0;
        foreach (var line in File.ReadLines(AccessLog))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[1] == "/" && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var at) && at >= start && at < end)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Client connections open at the server now (nginx stub_status, the asking one not counted), or null.</summary>
    public int? InFlight()
    {
        var status = _lab.Exec(_role, TimeSpan.FromSeconds(5), "curl", "-s", "--max-time", "2", $"http://127.0.0.1:{Port}/nginx_status");
        var line = status.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("Active connections:", StringComparison.Ordinal));
        return line is not null && int.TryParse(line["Active connections:".Length..].Trim(), CultureInfo.InvariantCulture, out var active) ? Math.Max(0, active - 1) : null;
    }

    /// <summary>Stops the capped nginx (the lab's teardown would too).</summary>
    public void Stop() => _lab.Exec(_role, TimeSpan.FromSeconds(20), "nginx", "-p", _directory + "/", "-c", ConfigPath, "-s", "quit");

    private void WriteConfig(int rate)
    {
        var d = _directory;
        File.WriteAllText(ConfigPath, $$"""
            user root;
            worker_processes 1;
            daemon on;
            master_process on;
            pid "{{d}}/nginx.pid";
            error_log "{{d}}/error.log" error;
            events { worker_connections 4096; }
            http {
                server_tokens off;
                default_type text/plain;
                client_body_temp_path "{{d}}/tmp/body";
                proxy_temp_path "{{d}}/tmp/proxy";
                fastcgi_temp_path "{{d}}/tmp/fastcgi";
                uwsgi_temp_path "{{d}}/tmp/uwsgi";
                scgi_temp_path "{{d}}/tmp/scgi";
                keepalive_timeout {{(_requestsPerConnection > 1 ? "30s" : "0")}};
                keepalive_requests {{_requestsPerConnection}};
                limit_req_zone $server_port zone=capacity:1m rate={{rate}}r/s;
                limit_req_status 503;
                log_format stamp "$msec $request_uri";
                access_log "{{d}}/access.log" stamp buffer=64k flush=500ms;
                server {
                    listen 0.0.0.0:{{Port}} backlog=4096;
                    root "{{d}}/www";
                    location / {
                        limit_req zone=capacity burst=5000;
                        index index.html;
                    }
                    location = /nginx_status {
                        stub_status;
                        access_log off;
                    }
                    location = /health {
                        limit_req zone=capacity burst=5000;
                        access_log off;
                    }
                }
            }
            """);
    }
}

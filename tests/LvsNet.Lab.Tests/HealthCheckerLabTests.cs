using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The checkers against real servers in the namespace lab: SSL_GET against a TLS nginx with a
/// self-signed certificate, MISC_CHECK running real programs (curl, a weight script), DNS_CHECK
/// against dnsmasq and SMTP_CHECK against aiosmtpd, each driving a real server out of the pool
/// and back through lvsnetd while clients send real traffic to the VIP. Every server a test starts
/// is stopped by its PID; every wait is bounded.
/// </summary>
[Trait("Category", "Lab")]
public class HealthCheckerLabTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string Config(string protocol, int port, string checks, string realServers = "", string scheduler = "rr", string health = "", int retry = 1) =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        virtual_services:
          - protocol: {protocol}
            address: 10.77.0.100
            port: {port}
            scheduler: {scheduler}
            health_check:
              delay_loop: 1s
              connect_timeout: 1s
              retry: {retry}
              delay_before_retry: 500ms
              warmup: 0
        {health}      checks:
        {checks}    real_servers:
        {(realServers.Length > 0 ? realServers : $"      - address: 10.77.0.11\n        port: {port}\n      - address: 10.77.0.12\n        port: {port}\n")}
        """;

    private static string Property(JsonElement logEvent, string name) => logEvent.GetProperty("Properties").GetProperty(name).ToString();

    private static JsonElement WaitForNth(DaemonProcess daemon, string name, int count)
    {
        var deadline = DateTime.UtcNow + Short;
        while (DateTime.UtcNow < deadline)
        {
            if (daemon.Events(name) is { } events && events.Count >= count)
            {
                return events[count - 1];
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"no {name} event #{count}:\n{daemon.Log}");
    }

    /// <summary>Stops a daemonised server by the PID in its pid file, after checking the PID is that server.</summary>
    private static void StopByPidFile(string pidFile, string expectedCommand)
    {
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        Assert.True(commandLine.Contains(expectedCommand, StringComparison.Ordinal), $"pid {pid} is not the test's server: {commandLine}");
        Assert.Equal(0, ProcessResult.Run("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], Short).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.Exists($"/proc/{pid}"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"pid {pid} did not exit");
            Thread.Sleep(50);
        }
    }

    // ---- SSL_GET ----------------------------------------------------------------------------

    private static string TlsNginxConfig(string directory, string name) => $$"""
        user root;
        worker_processes 1;
        daemon on;
        pid "{{directory}}/nginx.pid";
        error_log "{{directory}}/error.log" warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path "{{directory}}/tmp/body";
            proxy_temp_path "{{directory}}/tmp/proxy";
            fastcgi_temp_path "{{directory}}/tmp/fastcgi";
            uwsgi_temp_path "{{directory}}/tmp/uwsgi";
            scgi_temp_path "{{directory}}/tmp/scgi";
            default_type text/plain;
            server {
                listen 443 ssl;
                ssl_certificate "{{directory}}/../cert.pem";
                ssl_certificate_key "{{directory}}/../key.pem";
                location = /health { return 200 "ok"; }
                location / { return 200 "{{name}} tls\n"; }
            }
        }

        """;

    private static void StartTlsNginx(Lab lab, string directory, int server)
    {
        var result = lab.Exec($"rs{server}", Short, "nginx", "-e", Path.Combine(directory, "error.log"), "-p", directory + "/", "-c", Path.Combine(directory, "nginx.conf"));
        Assert.True(result.ExitCode == 0, result.Output);

        // Independent of the checker: curl from the director speaks TLS to it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lab.Exec("dir", Short, "curl", "-sk", "--max-time", "1", $"https://10.77.0.1{server}/health").StandardOutput != "ok")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the TLS nginx of rs{server} does not answer");
            Thread.Sleep(50);
        }
    }

    [RequiresRootFact]
    public void SslGet_AgainstATlsNginx_StoppingItTakesTheServerOut_StartingItBringsItBack()
    {
        using var lab = Lab.Up(realServers: 2);
        var tls = Path.Combine(lab.Env["LVT_STATE_DIR"], "tls");
        Directory.CreateDirectory(tls);
        var cert = ProcessResult.Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=lvt.test",
            "-keyout", Path.Combine(tls, "key.pem"), "-out", Path.Combine(tls, "cert.pem")], Short);
        Assert.True(cert.ExitCode == 0, cert.Output);
        foreach (var server in new[] { 1, 2 })
        {
            var directory = Path.Combine(tls, $"rs{server}");
            Directory.CreateDirectory(Path.Combine(directory, "tmp"));
            File.WriteAllText(Path.Combine(directory, "nginx.conf"), TlsNginxConfig(directory, $"rs{server}"));
            StartTlsNginx(lab, directory, server);
        }

        try
        {
#pragma warning disable CA5351 // keepalived's digest is MD5
            var digest = Convert.ToHexStringLower(MD5.HashData("ok"u8));
#pragma warning restore CA5351
            var checks = $"        - type: ssl_get\n          connect_port: 443\n          path: /health\n          digest: {digest}\n          sni_name: lvt.test\n";
            using var daemon = DaemonProcess.Start(lab, Config("tcp", 80, checks, health: "      alpha: true\n"));

            // alpha: both start down and come up only through a passed TLS check.
            WaitForNth(daemon, "RealServerUp", 2);
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

            StopByPidFile(Path.Combine(tls, "rs1", "nginx.pid"), "nginx: master process");
            var down = WaitForNth(daemon, "RealServerDown", 1);
            Assert.Equal(("10.77.0.11:80", "ssl_get /health: connection refused (2 consecutive failures)"), (Property(down, "Server"), Property(down, "Reason")));
            Assert.Equal(new Dictionary<string, int> { ["rs2"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

            StartTlsNginx(lab, Path.Combine(tls, "rs1"), 1);
            var up = WaitForNth(daemon, "RealServerUp", 3);
            Assert.Equal("10.77.0.11:80", Property(up, "Server"));
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));
        }
        finally
        {
            foreach (var server in new[] { 1, 2 })
            {
                var pidFile = Path.Combine(tls, $"rs{server}", "nginx.pid");
                if (File.Exists(pidFile))
                {
                    StopByPidFile(pidFile, "nginx: master process");
                }
            }
        }
    }

    // ---- MISC_CHECK -------------------------------------------------------------------------

    [RequiresRootFact]
    public void Misc_Curl_ExitStatus7WhenNginxStops_TakesTheServerOut()
    {
        using var lab = Lab.Up(realServers: 2);
        var checks = "        - type: misc\n          command: curl -sf -o /dev/null --max-time 1 \"http://$LVSNET_RS_ADDRESS/health\"\n          timeout: 2s\n";
        using var daemon = DaemonProcess.Start(lab, Config("tcp", 80, checks, health: "      alpha: true\n"));
        WaitForNth(daemon, "RealServerUp", 2);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

        var pidFile = lab.Env["LVT_RS1_PIDFILE"];
        StopByPidFile(pidFile, "nginx: master process");
        var down = WaitForNth(daemon, "RealServerDown", 1);

        // curl(1): exit 7 = failed to connect to host. MISC retry defaults to 0, but the service sets retry 1.
        Assert.Equal("10.77.0.11:80", Property(down, "Server"));
        Assert.StartsWith("misc curl -sf", Property(down, "Reason"), StringComparison.Ordinal);
        Assert.EndsWith(": exit status 7 (2 consecutive failures)", Property(down, "Reason"), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

        var directory = Path.GetDirectoryName(pidFile)!;
        var start = lab.Exec("rs1", Short, "nginx", "-e", Path.Combine(directory, "error.log"), "-p", directory + "/", "-c", Path.Combine(directory, "nginx.conf"));
        Assert.True(start.ExitCode == 0, start.Output);
        WaitForNth(daemon, "RealServerUp", 3);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));
    }

    [RequiresRootFact]
    public void MiscDynamic_ExitCodesSetTheWeight_Exit1IsDown()
    {
        using var lab = Lab.Up(realServers: 2);
        var state = Path.Combine(lab.Env["LVT_STATE_DIR"], "misc");
        Directory.CreateDirectory(state);
        var script = Path.Combine(state, "weight.sh");
        File.WriteAllText(script, $"#!/bin/sh\nexit \"$(cat {state}/code-$LVSNET_RS_ADDRESS)\"\n");
        void Code(string server, int code) => File.WriteAllText(Path.Combine(state, $"code-{server}"), code.ToString(CultureInfo.InvariantCulture));
        Code("10.77.0.11", 0);
        Code("10.77.0.12", 0);

        var checks = $"        - type: misc\n          command: /bin/sh {script}\n          dynamic: true\n";
        using var daemon = DaemonProcess.Start(lab, Config("tcp", 80, checks, scheduler: "wrr", retry: 0));
        daemon.WaitForEvent("HealthMonitorStarted", Short);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

        // keepalived misc_dynamic: exit 2..255 = up with weight (exit - 2).
        Code("10.77.0.11", 5);
        var changed = WaitForNth(daemon, "RealServerWeightChanged", 1);
        Assert.Equal(("10.77.0.11:80", "3"), (Property(changed, "Server"), Property(changed, "Weight")));

        // wrr with weights 3 and 1: three of every four new connections go to rs1.
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 6, ["rs2"] = 2 }, lab.Requests(8, maxTimeSeconds: 2));

        // Exit 1 is down, also with misc_dynamic.
        Code("10.77.0.11", 1);
        var down = WaitForNth(daemon, "RealServerDown", 1);
        Assert.Equal("10.77.0.11:80", Property(down, "Server"));
        Assert.EndsWith(": exit status 1", Property(down, "Reason"), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 3 }, lab.Requests(3, maxTimeSeconds: 2));

        // Exit 3 = up with weight 1.
        Code("10.77.0.11", 3);
        var up = WaitForNth(daemon, "RealServerUp", 1);
        Assert.Contains("in the pool with weight 1", Property(up, "Action"), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));
    }

    // ---- DNS_CHECK --------------------------------------------------------------------------

    private static Process StartDnsmasq(Lab lab, int server, string directory) =>
        lab.Start($"rs{server}", "dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
            $"--listen-address=10.77.0.1{server}", "--listen-address=10.77.0.100", "--port=53", "--user=root", "--group=root",
            $"--address=/lvt.test/10.77.0.1{server}", $"--pid-file={directory}/dnsmasq-rs{server}.pid", "--log-facility=-");

    // One A query per new UDP socket (so each is a new flow for the director); prints the answer's address or FAILED.
    private const string DnsClient = """
        import socket, struct, sys
        for i in range(int(sys.argv[1])):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            q = struct.pack(">HHHHHH", 0x4c00 + i, 0x0100, 1, 0, 0, 0) + b"\x03lvt\x04test\x00" + struct.pack(">HH", 1, 1)
            try:
                s.sendto(q, ("10.77.0.100", 53))
                a = s.recv(512)
                print(socket.inet_ntoa(a[-4:]) if struct.unpack(">H", a[6:8])[0] > 0 else "EMPTY")
            except OSError:
                print("FAILED")
            s.close()
        """;

    private static Dictionary<string, int> DnsQueries(Lab lab, int count)
    {
        var result = lab.Exec("client", Short, "/usr/bin/python3", "-c", DnsClient, count.ToString(CultureInfo.InvariantCulture));
        Assert.True(result.ExitCode == 0, result.Output);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
    }

    [RequiresRootFact]
    public void Dns_AgainstDnsmasq_StoppingItTakesTheServerOut_AndQueriesGoToTheOther()
    {
        using var lab = Lab.Up(realServers: 2);
        var directory = lab.Env["LVT_STATE_DIR"];
        var servers = new Dictionary<int, Process> { [1] = StartDnsmasq(lab, 1, directory), [2] = StartDnsmasq(lab, 2, directory) };
        try
        {
            var checks = "        - type: dns\n          query_type: A\n          name: lvt.test\n";
            using var daemon = DaemonProcess.Start(lab, Config("udp", 53, checks, health: "      alpha: true\n"));
            WaitForNth(daemon, "RealServerUp", 2);
            Assert.Equal(new Dictionary<string, int> { ["10.77.0.11"] = 2, ["10.77.0.12"] = 2 }, DnsQueries(lab, 4));

            Lab.Stop(servers[1]);
            servers.Remove(1);
            var down = WaitForNth(daemon, "RealServerDown", 1);

            // The port is closed: ICMP port unreachable on the checker's connected socket.
            Assert.Equal(("10.77.0.11:53", "dns A lvt.test: connection refused (2 consecutive failures)"), (Property(down, "Server"), Property(down, "Reason")));
            Assert.Equal(new Dictionary<string, int> { ["10.77.0.12"] = 4 }, DnsQueries(lab, 4));

            servers[1] = StartDnsmasq(lab, 1, directory);
            WaitForNth(daemon, "RealServerUp", 3);
            Assert.Equal(new Dictionary<string, int> { ["10.77.0.11"] = 2, ["10.77.0.12"] = 2 }, DnsQueries(lab, 4));
        }
        finally
        {
            foreach (var process in servers.Values)
            {
                Lab.Stop(process);
            }
        }
    }

    // ---- SMTP_CHECK -------------------------------------------------------------------------

    /// <summary>aiosmtpd (Debian python3-aiosmtpd) on port 25 of every address; its Debugging handler prints each message.</summary>
    private sealed class SmtpServer : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public SmtpServer(Lab lab, int server)
        {
            _process = lab.Start($"rs{server}", "/usr/bin/python3", "-u", "-m", "aiosmtpd", "-n", "-l", "0.0.0.0:25", "-c", "aiosmtpd.handlers.Debugging");
            _process.OutputDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.Append(e.Data).Append('\n');
                }
            };
            _process.BeginOutputReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!lab.Exec($"rs{server}", Short, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/25 && head -c 3 <&3").StandardOutput.StartsWith("220", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline || _process.HasExited)
                {
                    Lab.Stop(_process);
                    Assert.Fail($"aiosmtpd on rs{server} does not answer");
                }

                Thread.Sleep(100);
            }
        }

        public int Messages
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString().Split("---------- MESSAGE FOLLOWS ----------").Length - 1;
                }
            }
        }

        public void Dispose() => Lab.Stop(_process);
    }

    // One message per SMTP session (a new connection each) from the client to the VIP; prints OK or FAILED per message.
    private const string SmtpClient = """
        import smtplib, sys
        for i in range(int(sys.argv[1])):
            try:
                with smtplib.SMTP("10.77.0.100", 25, timeout=3) as s:
                    s.sendmail("client@lvt.test", ["rs@lvt.test"], "Subject: test %d\r\n\r\nhello\r\n" % i)
                print("OK")
            except (OSError, smtplib.SMTPException):
                print("FAILED")
        """;

    private static Dictionary<string, int> Mail(Lab lab, int count)
    {
        var result = lab.Exec("client", Short, "/usr/bin/python3", "-c", SmtpClient, count.ToString(CultureInfo.InvariantCulture));
        Assert.True(result.ExitCode == 0, result.Output);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
    }

    [RequiresRootFact]
    public void Smtp_AgainstAiosmtpd_RealMailFollowsTheChecks()
    {
        using var lab = Lab.Up(realServers: 2);
        var servers = new Dictionary<int, SmtpServer> { [1] = new(lab, 1), [2] = new(lab, 2) };
        try
        {
            var checks = "        - type: smtp\n          helo_name: director.lvt.test\n";
            using var daemon = DaemonProcess.Start(lab, Config("tcp", 25, checks, health: "      alpha: true\n"));
            WaitForNth(daemon, "RealServerUp", 2);
            Assert.Equal(new Dictionary<string, int> { ["OK"] = 4 }, Mail(lab, 4));
            Assert.Equal((2, 2), (servers[1].Messages, servers[2].Messages));

            servers[1].Dispose();
            servers.Remove(1);
            var down = WaitForNth(daemon, "RealServerDown", 1);
            Assert.Equal(("10.77.0.11:25", "smtp HELO director.lvt.test: connection refused (2 consecutive failures)"), (Property(down, "Server"), Property(down, "Reason")));
            Assert.Equal(new Dictionary<string, int> { ["OK"] = 4 }, Mail(lab, 4));
            Assert.Equal(6, servers[2].Messages);

            servers[1] = new SmtpServer(lab, 1);
            WaitForNth(daemon, "RealServerUp", 3);
            Assert.Equal(new Dictionary<string, int> { ["OK"] = 4 }, Mail(lab, 4));
            Assert.Equal((2, 8), (servers[1].Messages, servers[2].Messages));
            output.WriteLine($"mail per server after the failover and back: rs1 {servers[1].Messages}, rs2 {servers[2].Messages}");
        }
        finally
        {
            foreach (var server in servers.Values)
            {
                server.Dispose();
            }
        }
    }
}

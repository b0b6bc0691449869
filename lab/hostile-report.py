#!/usr/bin/env python3
"""Summary of one method of lab/hostile-campaign.sh: reads the run's files, prints the table to stderr
and one JSON object to stdout.

Usage: hostile-report.py DIR METHOD BACKEND ALIVE RSS_END_KB
DIR holds baseline.json and attack.json (lvsnet-hostile campaign), legit-N.log ("start_ms end_ms http_code"
per new connection, one file per loop), keepalive.log ("num_connects http_code" per request on the one keep-alive
connection), wrk-PHASE.txt, PHASE.start/PHASE.end (ms) and lvsnetd.log.
"""
import json
import os
import re
import sys

directory, method, backend, alive, rss_end = sys.argv[1:6]


def load(name):
    try:
        with open(os.path.join(directory, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def read_ms(name):
    try:
        with open(os.path.join(directory, name)) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


legit = []
for name in sorted(os.listdir(directory)):
    if not re.fullmatch(r"legit(-\d+)?\.log", name):
        continue
    with open(os.path.join(directory, name)) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0].isdigit():
                legit.append((int(parts[0]), parts[2] == "200"))


def window(start, end):
    rows = [ok for t, ok in legit if start is not None and end is not None and start <= t < end]
    return {"ok": sum(rows), "total": len(rows), "ratio": round(sum(rows) / len(rows), 4) if rows else None}


keepalive = []
with open(os.path.join(directory, "keepalive.log")) as f:
    for line in f:
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            keepalive.append((int(parts[0]), parts[1]))
reconnects = sum(1 for connects, _ in keepalive[1:] if connects != 0)
failures = sum(1 for _, code in keepalive if code != "200")


def wrk(phase):
    try:
        text = open(os.path.join(directory, f"wrk-{phase}.txt")).read()
    except OSError:
        return None
    requests = re.search(r"(\d+) requests in", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"requests": int(requests.group(1)) if requests else 0,
            "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


# Exceptions in the daemon's log: any JSON event with an Exception field, or a .NET unhandled-exception text.
exceptions = 0
with open(os.path.join(directory, "lvsnetd.log"), errors="replace") as f:
    for line in f:
        if '"Exception"' in line or "Unhandled exception" in line or "   at " in line[:8]:
            exceptions += 1

attack = load("attack.json")
baseline = load("baseline.json")
baseline_by_class = {c["class"]: c for c in baseline.get("classes", [])}
classes = []
for c in attack.get("classes", []):
    row = dict(c)
    row["legit"] = window(c["start_ms"], c["end_ms"])
    b = baseline_by_class.get(c["class"])
    row["baseline_legit"] = window(b["start_ms"], b["end_ms"]) if b else None
    classes.append(row)

rss_before = attack.get("rss_kb_before", -1)
rss_after = attack.get("rss_kb_after", -1)
summary = {
    "method": method,
    "backend": backend,
    "daemon_alive": alive == "1" and attack.get("daemon_alive", False),
    "exceptions_in_log": exceptions,
    "capture_errors": sum(c.get("daemon", {}).get("errors", 0) for c in classes),
    "rss_kb_before": rss_before,
    "rss_kb_after": rss_after,
    "rss_kb_end": int(rss_end),
    "rss_growth_pct": round(100.0 * (rss_after - rss_before) / rss_before, 1) if rss_before and rss_before > 0 else None,
    "keepalive": {"requests": len(keepalive), "reconnects": reconnects, "failures": failures,
                  "broken": reconnects > 0 or failures > 0 or len(keepalive) == 0},
    "legit": {"baseline": window(read_ms("baseline.start"), read_ms("baseline.end")) if baseline else None,
              "attack": window(read_ms("attack.start"), read_ms("attack.end"))},
    "wrk": {"baseline": wrk("baseline"), "attack": wrk("attack")},
    "frames_sent": sum(c["sent"] for c in classes),
    "leaking_classes": [c["class"] for c in classes if c["verdict"] == "leaks"],
    "classes": classes,
}


def ratio(w):
    return "-" if not w or w["ratio"] is None else f"{w['ok']}/{w['total']}"


out = sys.stderr
print(f"\n== {method} / {backend}: daemon alive {summary['daemon_alive']}, exceptions {exceptions}, "
      f"RSS {rss_before} -> {rss_after} kB ({summary['rss_growth_pct']} %), keep-alive "
      f"{'BROKEN' if summary['keepalive']['broken'] else 'intact'} ({len(keepalive)} requests, {reconnects} reconnects)", file=out)
print(f"   legit new connections: baseline {ratio(summary['legit']['baseline'])}, attack {ratio(summary['legit']['attack'])}; "
      f"wrk baseline {summary['wrk']['baseline']}, attack {summary['wrk']['attack']}", file=out)
print(f"{'class':32} {'expected':13} {'sent':>9} {'reached':>8} {'divert':>6} {'probe':>5} {'legit':>7} {'base':>7} {'verdict':8} drops", file=out)
for c in classes:
    drops = ",".join(f"{k}:{v}" for k, v in c.get("daemon", {}).get("drops_by_reason", {}).items())
    probe = f"{c['probe_failures']}/{c['probes']}" if c["probes"] else "-"
    print(f"{c['class']:32} {c['expected']:13} {c['sent']:>9} {c['reached_rs']:>8} {c['diverted']:>6} {probe:>5} "
          f"{ratio(c['legit']):>7} {ratio(c['baseline_legit']):>7} {c['verdict']:8} {drops}", file=out)
print(json.dumps(summary))

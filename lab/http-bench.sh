#!/usr/bin/env bash
# lab/http-bench.sh - HTTP requests through lvsnetd against HAProxy, nginx stream and the direct path.
#
# Usage (root; build first with ./build.sh build, or run it through ./build.sh bench http):
#   lab/http-bench.sh [--short] [--runs N] [--seconds S] [--connections C] [--rows LIST] [--id ID]
#
# Builds two labs with lab/lab.sh (DR and NAT: client, director, 2 nginx real servers each) and runs
# wrk in the client namespace (2 threads, C connections, default 50) against every row, in rounds:
# each round visits every row once, so load that other work puts on the machine spreads over all
# rows instead of falling on one. Per row and round: one keep-alive run and one run with
# `Connection: close` (a new TCP connection per request), S seconds each (default 5, at most 10).
# Rows (--rows, comma-separated; default all):
#   direct             the client straight to one real server (no middlebox: the ceiling)
#   haproxy            HAProxy `mode tcp`, 1 thread, on the director's address (DR lab)
#   nginx              nginx `stream` proxy, 1 worker process, on the director's address (DR lab)
#   B-dr, B-nat        lvsnetd on the VIP with backend B: pcap, afpacket, afpacket2 (2 workers),
#                      afxdp; afpacketv3 and afxdpbusy are extra rows for comparing the older
#                      TPACKET_V3 ring and busy polling (not in the default set)
#   direct6, B-dr6     the same over IPv6 (the DR lab has IPv6 on every link): the client straight
#                      to one real server's IPv6 address, and lvsnetd with an IPv6 DR service
#   B-dual             one lvsnetd with an IPv4 and an IPv6 DR service (dual stack, same real
#                      servers): per mode, P pairs of back-to-back wrk runs, one to each VIP (the
#                      order alternating), so that both families meet the same load; reported as
#                      the median of the pairs' IPv6/IPv4 ratios (min-max) in a table of its own
# Reported per row and mode: requests/s (median of the runs, min-max), p50 and p99 latency (median),
# the proxy's CPU (lvsnetd, haproxy or nginx: utime+stime from /proc/PID/stat, in % of one core) and
# the whole box's CPU (from /proc/stat: every process on the machine, others' work included), and the
# ratios of requests/s to HAProxy's and of p99 to the direct path's (for an IPv6 row, to direct6's),
# and for every B-dr6 row its requests/s over B-dr's (×IPv4: the same backend over IPv4, same run). Errors (wrk socket errors and
# non-2xx answers) are counted. The last line of output is a JSON array of the rows.
# --pairs P: pairs per mode and round for the B-dual rows (default 3, 1 with --short).
# --short: 1 round of 1 s per mode (a smoke test that every row works, not a measurement).
# --id ID names the labs (IDd and IDn; ID at most 8 characters) so a caller can clean up after a kill.
# Every namespace is deleted on exit (trap); every wrk run is bounded by -d and by timeout(1).
set -Eeuo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION=${CONFIGURATION:-Release}
DAEMON_DLL="$ROOT/src/LvsNet.Daemon/bin/$CONFIGURATION/net10.0/lvsnetd.dll"
STREAM_MODULE=${STREAM_MODULE:-/usr/lib/nginx/modules/ngx_stream_module.so}
ALL_ROWS=direct,haproxy,nginx,pcap-dr,afpacket-dr,afpacket2-dr,afxdp-dr,pcap-nat,afpacket-nat,afpacket2-nat,afxdp-nat,direct6,pcap-dual,afpacket-dual,afpacket2-dual,afxdp-dual

runs=3 seconds=5 connections=50 rows=$ALL_ROWS id="" short="" pairs=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --short) short=1; shift ;;
        --pairs) pairs="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --rows) rows="$2"; shift 2 ;;
        --id) id="$2"; shift 2 ;;
        *) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
[[ -n "$short" ]] && { runs=1; seconds=1; pairs=1; }
[[ "$pairs" =~ ^[0-9]+$ && "$pairs" -ge 1 && "$pairs" -le 20 ]] || { echo "http-bench: --pairs must be 1..20" >&2; exit 2; }
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 1 && "$runs" -le 9 ]] || { echo "http-bench: --runs must be 1..9" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 && "$seconds" -le 10 ]] || { echo "http-bench: --seconds must be 1..10" >&2; exit 2; }
[[ "$connections" =~ ^[0-9]+$ && "$connections" -ge 2 && "$connections" -le 1000 ]] || { echo "http-bench: --connections must be 2..1000" >&2; exit 2; }
IFS=, read -r -a ROWS <<<"$rows"
need_nat="" need_daemon=""
for row in "${ROWS[@]}"; do
    case "$row" in
        direct | haproxy | nginx | direct6) ;;
        pcap-dr6 | afpacket-dr6 | afpacket2-dr6 | afpacketv3-dr6 | afxdp-dr6 | afxdpbusy-dr6) need_daemon=1 ;;
        pcap-dual | afpacket-dual | afpacket2-dual | afpacketv3-dual | afxdp-dual | afxdpbusy-dual) need_daemon=1 ;;
        pcap-dr | afpacket-dr | afpacket2-dr | afpacketv3-dr | afxdp-dr | afxdpbusy-dr) need_daemon=1 ;;
        pcap-nat | afpacket-nat | afpacket2-nat | afpacketv3-nat | afxdp-nat | afxdpbusy-nat) need_daemon=1 need_nat=1 ;;
        *) echo "http-bench: unknown row '$row'" >&2; exit 2 ;;
    esac
done
[[ "$(id -u)" -eq 0 ]] || { echo "http-bench: needs root (network namespaces)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "http-bench: wrk is missing (./build.sh setup)" >&2; exit 1; }
[[ ",$rows," != *,haproxy,* ]] || command -v haproxy >/dev/null || { echo "http-bench: haproxy is missing (./build.sh setup)" >&2; exit 1; }
[[ ",$rows," != *,nginx,* || -f "$STREAM_MODULE" ]] || { echo "http-bench: $STREAM_MODULE is missing (libnginx-mod-stream; ./build.sh setup)" >&2; exit 1; }
[[ -z "$need_daemon" || -f "$DAEMON_DLL" ]] || { echo "http-bench: $DAEMON_DLL is missing; run ./build.sh build first" >&2; exit 1; }

log() { printf 'http-bench: %s\n' "$*" >&2; }

ID=${id:-hb$$}
ID=${ID:0:8}
STATE=$(mktemp -d /tmp/lvt-http.XXXXXX)
PROXY_PID=""
stop_proxy() {
    if [[ -n "$PROXY_PID" ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
        kill -TERM "$PROXY_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PROXY_PID" 2>/dev/null || true
    fi
    [[ -n "$PROXY_PID" ]] && wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
}
cleanup() {
    stop_proxy
    "$ROOT/lab/lab.sh" down "${ID}d" >/dev/null 2>&1 || true
    "$ROOT/lab/lab.sh" down "${ID}n" >/dev/null 2>&1 || true
    rm -rf -- "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s.%N)
log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "lab ${ID}d (dr, with IPv6)"
"$ROOT/lab/lab.sh" up "${ID}d" --rs 2 --mode dr --ipv6 | grep -E '^LVT_[A-Z0-9_]+=' >"$STATE/dr.env"
if [[ -n "$need_nat" ]]; then
    log "lab ${ID}n (nat)"
    "$ROOT/lab/lab.sh" up "${ID}n" --rs 2 --mode nat | grep -E '^LVT_[A-Z0-9_]+=' >"$STATE/nat.env"
fi
# Both labs use the same addresses inside their own namespaces.
# shellcheck disable=SC1091
source "$STATE/dr.env"

# One connection per request at 20,000-40,000 requests/s leaves tens of thousands of sockets in
# TIME_WAIT on the side that closes (wrk and HAProxy/nginx close too, not only the server), and a
# connecting side keeps a TIME_WAIT port for 60 s: with the default 28,232 ephemeral ports the
# client (and the proxies' upstream side in the director) runs out within a few rows, and from
# then on connect() scans the port range on every request (both cores busy, a few hundred
# requests/s, whatever the row). Any HTTP benchmark host is set up so; these are the lab's own
# namespaces, nothing outside them changes.
for env in "$STATE/dr.env" ${need_nat:+"$STATE/nat.env"}; do
    for ns in $(grep -E '^LVT_NS_(CLIENT|DIR)=' "$env" | cut -d= -f2); do
        ip netns exec "$ns" sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65535"
    done
done

proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Busy and total jiffies of the whole machine (all CPUs): busy = total - idle - iowait.
box_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

start_haproxy() {
    local maxconn=$(( ($(ulimit -Hn) - 100) / 2 ))
    [[ $maxconn -gt 4000 ]] && maxconn=4000
    cat >"$STATE/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn $maxconn
    log stderr format raw local0 err
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind $LVT_DIP:80
    default_backend servers
backend servers
    balance roundrobin
    server rs1 $LVT_RS1_IP:80
    server rs2 $LVT_RS2_IP:80
CFG
    # haproxy needs about two descriptors per connection and refuses to start above the limit (lab notes):
    # raise the soft limit to the hard one and derive maxconn from it.
    "$ROOT/lab/lab.sh" exec "${ID}d" dir -- bash -c 'ulimit -n "$(ulimit -Hn)" && exec haproxy -db -f "$1"' _ "$STATE/haproxy.cfg" >"$STATE/haproxy.log" 2>&1 &
    PROXY_PID=$!
}

start_nginx() {
    mkdir -p "$STATE/nginx"
    cat >"$STATE/nginx/nginx.conf" <<CFG
load_module $STREAM_MODULE;
worker_processes 1;
master_process off;
daemon off;
worker_rlimit_nofile 16384;
pid $STATE/nginx/nginx.pid;
error_log $STATE/nginx/error.log warn;
events { worker_connections 8192; }
stream {
    upstream servers {
        server $LVT_RS1_IP:80;
        server $LVT_RS2_IP:80;
    }
    server {
        listen $LVT_DIP:80 backlog=4096;
        proxy_pass servers;
    }
}
CFG
    "$ROOT/lab/lab.sh" exec "${ID}d" dir -- nginx -p "$STATE/nginx/" -e "$STATE/nginx/error.log" -c "$STATE/nginx/nginx.conf" >"$STATE/nginx.log" 2>&1 &
    PROXY_PID=$!
}

# start_daemon LAB BACKEND WORKERS METHOD EXTRA [ENV...]; METHOD dr6 is DR to the IPv6 VIP and real
# servers, dual both services (IPv4 and IPv6 DR) in one daemon.
start_daemon() {
    local lab=$1 backend=$2 workers=$3 method=$4 extra=$5 vip=$LVT_VIP rs1=$LVT_RS1_IP rs2=$LVT_RS2_IP second=""
    shift 5
    if [[ "$method" == dr6 ]]; then
        vip=$LVT_VIP6 rs1=$LVT_RS1_IP6 rs2=$LVT_RS2_IP6 method=dr
    elif [[ "$method" == dual ]]; then
        method=dr second="  - name: web6
    protocol: tcp
    address: $LVT_VIP6
    port: 80
    scheduler: rr
    real_servers:
      - address: $LVT_RS1_IP6
        method: dr
      - address: $LVT_RS2_IP6
        method: dr"
    fi
    cat >"$STATE/lvsnet-$method.yaml" <<YAML
director:
  interface: $LVT_IF
  address: $LVT_DIP/$LVT_PREFIXLEN
capture:
  backend: $backend
  workers: $workers
$extra
connections:
  max_entries: 262144
virtual_services:
  - name: web
    protocol: tcp
    address: $vip
    port: 80
    scheduler: rr
    real_servers:
      - address: $rs1
        method: $method
      - address: $rs2
        method: $method
$second
YAML
    : >"$STATE/lvsnetd.log"
    "$ROOT/lab/lab.sh" exec "$lab" dir -- env "$@" dotnet "$DAEMON_DLL" --config "$STATE/lvsnet-$method.yaml" --stats-interval 0 >"$STATE/lvsnetd.log" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 1 300); do
        grep -q '"Name":"Started"' "$STATE/lvsnetd.log" 2>/dev/null && break
        kill -0 "$PROXY_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "\"Backend\":\"$backend\",\"Workers\":$workers" "$STATE/lvsnetd.log" || { tail -20 "$STATE/lvsnetd.log" >&2; log "lvsnetd did not start ($backend, $workers worker(s), $method)"; return 1; }
}

# The PID of the process doing the proxying: lab.sh exec runs it through ip netns exec (which execs),
# haproxy and nginx in the foreground, so PROXY_PID is the process itself once exec has happened.
proxy_pid() {
    local pid=$PROXY_PID child
    for _ in 1 2 3; do
        child=$(pgrep -P "$pid" | head -1 || true)
        [[ -n "$child" ]] || break
        pid=$child
    done
    echo "$pid"
}

wait_ready() {
    local lab=$1 url=$2
    for _ in $(seq 1 100); do
        "$ROOT/lab/lab.sh" exec "$lab" client -- curl -s -o /dev/null --max-time 1 "$url" && return 0
        sleep 0.1
    done
    log "no answer from $url"
    return 1
}

# run_wrk LAB URL MODE PID -> one JSON object on stdout.
run_wrk() {
    local lab=$1 url=$2 mode=$3 pid=$4 header=() out cpu0 cpu1 box0 box1
    [[ "$mode" == close ]] && header=(-H 'Connection: close')
    cpu0=0 cpu1=0
    [[ -n "$pid" ]] && cpu0=$(proc_ticks "$pid")
    box0=$(box_ticks)
    out=$(timeout $((seconds + 15)) "$ROOT/lab/lab.sh" exec "$lab" client -- wrk -t2 -c"$connections" -d"${seconds}s" --timeout 2s --latency "${header[@]}" "$url" 2>&1 || true)
    box1=$(box_ticks)
    [[ -n "$pid" ]] && cpu1=$(proc_ticks "$pid")
    python3 - "$mode" "$out" "$cpu0" "$cpu1" "$box0" "$box1" "$(getconf CLK_TCK)" "$(nproc)" "$seconds" "${pid:+1}" <<'PY'
import json, re, sys
mode, out = sys.argv[1], sys.argv[2]
cpu0, cpu1 = int(sys.argv[3]), int(sys.argv[4])
b0, t0 = (int(v) for v in sys.argv[5].split()); b1, t1 = (int(v) for v in sys.argv[6].split())
hz, ncpu, seconds, has_pid = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9]), sys.argv[10] == "1"
def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m: return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
lat = {p: ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M)}
errors = sum(int(v) for v in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
errors += sum(int(v) for v in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
box = 100.0 * ncpu * (b1 - b0) / (t1 - t0) if t1 > t0 else None
print(json.dumps({"mode": mode, "rps": float(rps.group(1)) if rps else 0.0, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
                  "errors": errors, "proxy_cpu_pct": round(100.0 * (cpu1 - cpu0) / hz / seconds, 1) if has_pid else None,
                  "box_cpu_pct": round(box, 1) if box is not None else None,
                  "wrk": None if rps else out[-400:]}))
PY
}

results="$STATE/results.jsonl"
: >"$results"
for round in $(seq 1 "$runs"); do
    for row in "${ROWS[@]}"; do
        lab="${ID}d" url="http://$LVT_VIP/" pid=""
        case "$row" in
            direct) url="http://$LVT_RS1_IP/" ;;
            direct6) url="http://[$LVT_RS1_IP6]/" ;;
            haproxy) start_haproxy; url="http://$LVT_DIP/" ;;
            nginx) start_nginx; url="http://$LVT_DIP/" ;;
            *)
                backend=${row%-*} method=${row##*-} workers=1 extra=""
                [[ "$method" == nat ]] && lab="${ID}n"
                [[ "$method" == dr6 ]] && url="http://[$LVT_VIP6]/"
                [[ "$method" == dual ]] && lab="${ID}d"
                case "$backend" in
                    afpacket2) backend=afpacket workers=2 ;;
                    afpacketv3) backend=afpacket extra="  afpacket_ring: 3" ;;
                    afxdpbusy) backend=afxdp extra="  busy_poll_us: 50" ;;
                esac
                start_daemon "$lab" "$backend" "$workers" "$method" "$extra" LVSNET_BENCH=1 || { stop_proxy; continue; }
                ;;
        esac
        if [[ "$row" == *-dual ]]; then
            # Pairs of back-to-back runs, one to each VIP of the same daemon, the order alternating.
            if wait_ready "$lab" "$url" && wait_ready "$lab" "http://[$LVT_VIP6]/"; then
                pid=$(proxy_pid)
                for mode in keepalive close; do
                    for pair in $(seq 1 "$pairs"); do
                        order="4 6"
                        (( (round + pair) % 2 == 0 )) && order="6 4"
                        for family in $order; do
                            target="http://$LVT_VIP/"
                            [[ "$family" == 6 ]] && target="http://[$LVT_VIP6]/"
                            r=$(run_wrk "$lab" "$target" "$mode" "$pid")
                            python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(row=sys.argv[2], round=int(sys.argv[3]), pair=int(sys.argv[4]), family=int(sys.argv[5])); print(json.dumps(r))' "$r" "$row" "$round" "$pair" "$family" >>"$results"
                            log "round $round $row pair $pair IPv$family $mode: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.0f req/s p50 %s p99 %s ms errors %d" % (r["rps"], r["p50_ms"], r["p99_ms"], r["errors"]))' "$r")"
                        done
                    done
                done
            fi
        elif wait_ready "$lab" "$url"; then
            [[ -n "$PROXY_PID" ]] && pid=$(proxy_pid)
            for mode in keepalive close; do
                r=$(run_wrk "$lab" "$url" "$mode" "$pid")
                python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(row=sys.argv[2], round=int(sys.argv[3])); print(json.dumps(r))' "$r" "$row" "$round" >>"$results"
                log "round $round $row $mode: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.0f req/s p50 %s p99 %s ms errors %d" % (r["rps"], r["p50_ms"], r["p99_ms"], r["errors"]))' "$r")"
            done
        fi
        stop_proxy
    done
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "$rows" "$runs" "$seconds" "$connections" "$pairs" <<'PY'
import json, statistics, sys
all_rows = sys.argv[2].split(",")
rows = [r for r in all_rows if not r.endswith("-dual")]
duals = [r for r in all_rows if r.endswith("-dual")]
runs, seconds, conns, pairs = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
data = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
table = {}
for row in rows:
    for mode in ("keepalive", "close"):
        rs = [d for d in data if d["row"] == row and d["mode"] == mode]
        rps = [d["rps"] for d in rs]
        table[(row, mode)] = {"row": row, "mode": mode, "runs": len(rs),
            "rps": med(rps), "rps_min": min(rps) if rps else None, "rps_max": max(rps) if rps else None,
            "p50_ms": med([d["p50_ms"] for d in rs]), "p99_ms": med([d["p99_ms"] for d in rs]),
            "p99_ms_max": max([d["p99_ms"] for d in rs if d["p99_ms"] is not None], default=None),
            "proxy_cpu_pct": med([d["proxy_cpu_pct"] for d in rs]), "box_cpu_pct": med([d["box_cpu_pct"] for d in rs]),
            "errors": sum(d["errors"] for d in rs)}
for (row, mode), t in table.items():
    ref = table.get(("haproxy", mode)); direct = table.get(("direct6" if row.endswith("6") else "direct", mode))
    t["x_haproxy"] = round(t["rps"] / ref["rps"], 2) if t["rps"] and ref and ref["rps"] else None
    t["p99_x_direct"] = round(t["p99_ms"] / direct["p99_ms"], 2) if t["p99_ms"] and direct and direct["p99_ms"] else None
    v4 = table.get((row[:-1], mode)) if row.endswith("-dr6") else None
    t["x_ipv4"] = round(t["rps"] / v4["rps"], 2) if t["rps"] and v4 and v4["rps"] else None
def f(v, fmt="%.2f"):
    return "—" if v is None else fmt % v
print("wrk -t2 -c%s, %s s per run, %s run(s) per row and mode; req/s median (min–max); latencies median of the runs" % (conns, seconds, runs))
print()
print("| row | keep-alive req/s | ×HAProxy | ×IPv4 | p50 ms | p99 ms | p99 ×direct | proxy CPU % | box CPU % | close req/s | ×HAProxy | ×IPv4 | p50 ms | p99 ms | proxy CPU % | box CPU % | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for row in rows:
    k, c = table[(row, "keepalive")], table[(row, "close")]
    print("| %s | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %d |" % (
        row, f(k["rps"], "%.0f"), f(k["rps_min"], "%.0f"), f(k["rps_max"], "%.0f"), f(k["x_haproxy"]), f(k["x_ipv4"]), f(k["p50_ms"]), f(k["p99_ms"]),
        f(k["p99_x_direct"]), f(k["proxy_cpu_pct"], "%.0f"), f(k["box_cpu_pct"], "%.0f"),
        f(c["rps"], "%.0f"), f(c["rps_min"], "%.0f"), f(c["rps_max"], "%.0f"), f(c["x_haproxy"]), f(c["x_ipv4"]), f(c["p50_ms"]), f(c["p99_ms"]),
        f(c["proxy_cpu_pct"], "%.0f"), f(c["box_cpu_pct"], "%.0f"), k["errors"] + c["errors"]))
# Dual-stack rows: each pair's IPv6/IPv4 ratio; the median of the ratios (min-max).
for row in duals:
    for mode in ("keepalive", "close"):
        rs = [d for d in data if d["row"] == row and d["mode"] == mode]
        by_pair = {}
        for d in rs:
            by_pair.setdefault((d["round"], d["pair"]), {})[d["family"]] = d
        ratios = [p[6]["rps"] / p[4]["rps"] for p in by_pair.values() if 4 in p and 6 in p and p[4]["rps"] > 0]
        # The daemon's CPU per request (µs), a figure the shared machine's scheduling moves less than requests/s.
        def cpu_us(d):
            return d["proxy_cpu_pct"] * 1e4 / d["rps"] if d["rps"] and d["proxy_cpu_pct"] else None
        cpu_ratios = [cpu_us(p[6]) / cpu_us(p[4]) for p in by_pair.values() if 4 in p and 6 in p and cpu_us(p[4]) and cpu_us(p[6])]
        v4 = [d for d in rs if d["family"] == 4]; v6 = [d for d in rs if d["family"] == 6]
        table[(row, mode)] = {"row": row, "mode": mode, "runs": len(ratios), "pairs": len(ratios),
            "rps": med([d["rps"] for d in v6]), "rps_ipv4": med([d["rps"] for d in v4]),
            "x_ipv4": round(med(ratios), 3) if ratios else None,
            "x_ipv4_min": round(min(ratios), 3) if ratios else None, "x_ipv4_max": round(max(ratios), 3) if ratios else None,
            "p99_ms": med([d["p99_ms"] for d in v6]), "p99_ms_ipv4": med([d["p99_ms"] for d in v4]),
            "proxy_cpu_pct": med([d["proxy_cpu_pct"] for d in v6]), "proxy_cpu_pct_ipv4": med([d["proxy_cpu_pct"] for d in v4]),
            "cpu_us_per_request": med([cpu_us(d) for d in v6]), "cpu_us_per_request_ipv4": med([cpu_us(d) for d in v4]),
            "cpu_x_ipv4": round(med(cpu_ratios), 3) if cpu_ratios else None,
            "errors": sum(d["errors"] for d in rs)}
if duals:
    print()
    print("Dual stack: one daemon with an IPv4 and an IPv6 DR service; %s pair(s) per mode and round of back-to-back runs, one per family" % pairs)
    print()
    print("| row | mode | pairs | IPv4 req/s | IPv6 req/s | IPv6 ÷ IPv4 (median of pairs, min–max) | IPv4 p99 ms | IPv6 p99 ms | daemon CPU µs/request IPv4 | IPv6 | IPv6 ÷ IPv4 | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in duals:
        for mode in ("keepalive", "close"):
            t = table[(row, mode)]
            print("| %s | %s | %d | %s | %s | %s (%s–%s) | %s | %s | %s | %s | %s | %d |" % (row, mode, t["pairs"], f(t["rps_ipv4"], "%.0f"), f(t["rps"], "%.0f"),
                f(t["x_ipv4"]), f(t["x_ipv4_min"]), f(t["x_ipv4_max"]), f(t["p99_ms_ipv4"]), f(t["p99_ms"]),
                f(t["cpu_us_per_request_ipv4"], "%.1f"), f(t["cpu_us_per_request"], "%.1f"), f(t["cpu_x_ipv4"]), t["errors"]))
print(json.dumps(list(table.values())))
missing = sorted({t["row"] for t in table.values() if not t["rps"] or (t["row"].endswith("-dual") and not t["rps_ipv4"])})
if missing:
    print("http-bench: no request answered through: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
log "done in $(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 1))" "$started") s"

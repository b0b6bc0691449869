#!/usr/bin/env bash
# lab/hostile-campaign.sh - hostile-traffic campaign against lvsnetd in the namespace lab (issue 13).
#
# Usage (root; build first with ./build.sh build, or run it through ./build.sh bench hostile):
#   lab/hostile-campaign.sh [--backend pcap|afpacket|afxdp] [--methods dr,nat] [--short]
#                           [--count N] [--mutations N] [--pps N] [--mutation-pps N] [--seed N]
#                           [--classes all|a,b] [--max-class-seconds S] [--no-baseline] [--syn-proxy]
#                           [--legit-loops N] [--capture-buffer BYTES] [--syn-queue BYTES] [--workers N] [--id ID]
#
# Per method (default dr,nat): builds a lab with lab/lab.sh (client, director, rs1, rs2; IPv4 and
# IPv6), starts lvsnetd on the backend with an IPv4 and an IPv6 web service (the ipv6-* classes
# attack the IPv6 VIP; the neighbour discovery class is probed through it), a watcher (lvsnet-hostile watch) on every real server and on the client,
# and legitimate traffic from the client: a loop of new curl connections (each logged ok/fail with
# its time), one keep-alive curl making 5 requests a second over one connection (it must never
# reconnect), and a bounded wrk. Then, with the same timing, a baseline pass (--dry-run: nothing
# sent) and the attack pass: lvsnet-hostile campaign sends every class (`lvsnet-hostile list`),
# each bounded by --count frames (--mutations for the mutation class) and --max-class-seconds (default
# 60, at most 600), paced at --pps (--mutation-pps for the mutation class; 0 = as fast as it goes).
# Per class it reports frames sent, frames of the class that reached a real server (marked frames
# counted at the real servers' interfaces), frames the director diverted to a wrong MAC (counted at
# the client), failed probe connections after ARP classes, the daemon's counters and drops by reason,
# legitimate success in the class's time window, daemon alive and its RSS.
# --legit-loops N: N loops of new connections side by side (default 1; more give a larger sample in a
# short class window, e.g. a flood's).
# --capture-buffer BYTES: capture.buffer_size_bytes of the daemon (default: the daemon's own default).
# --syn-queue BYTES: capture.syn_queue_bytes of the daemon (pcap: bare SYNs in a buffer of their own, read last).
# --workers N: capture.workers of the daemon (1..8, default 1; more than 1 needs afpacket).
# --syn-proxy: the web service gets syn_proxy: true (NAT and FULLNAT: the director answers SYNs with cookies).
# --short: 2000 frames per class at 20 kpps, no baseline (the CI form). Defaults otherwise:
# --count 5000, --pps 10000, --seed 13. The last line of output is the JSON summary (one object per
# method); the table goes to stderr. Every namespace is deleted on exit (trap).
# Environment: HOSTILE_KEEP=DIR keeps each method's files; HOSTILE_DAEMON_NICE=N starts the daemon with
# nice -n N relative to the campaign (under nice -n 10, -10 puts the director before the lab's senders).
# The daemon runs with the DOTNET_GC* settings of config/lvsnet.service, as the unit runs it.
set -Eeuo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION=${CONFIGURATION:-Release}
DAEMON_DLL="$ROOT/src/LvsNet.Daemon/bin/$CONFIGURATION/net10.0/lvsnetd.dll"
HOSTILE_DLL="$ROOT/tools/LvsNet.Hostile/bin/$CONFIGURATION/net10.0/lvsnet-hostile.dll"
ADM_DLL="$ROOT/src/LvsNet.Cli/bin/$CONFIGURATION/net10.0/lvsnetadm.dll"

backend=pcap methods=dr,nat short="" settle=300 count=5000 mutations="" pps=10000 mutation_pps="" max_class=60 seed=13 classes=all baseline=1 id="" syn_proxy="" legit_loops=1 capture_buffer="" syn_queue="" workers=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --backend) backend="$2"; shift 2 ;;
        --methods) methods="$2"; shift 2 ;;
        --short) short=1; shift ;;
        --count) count="$2"; shift 2 ;;
        --mutations) mutations="$2"; shift 2 ;;
        --pps) pps="$2"; shift 2 ;;
        --mutation-pps) mutation_pps="$2"; shift 2 ;;
        --max-class-seconds) max_class="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --classes) classes="$2"; shift 2 ;;
        --no-baseline) baseline=""; shift ;;
        --syn-proxy) syn_proxy=1; shift ;;
        --legit-loops) legit_loops="$2"; shift 2 ;;
        --capture-buffer) capture_buffer="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --syn-queue) syn_queue="$2"; shift 2 ;;
        --id) id="$2"; shift 2 ;;
        *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
    esac
done
case "$backend" in pcap | afpacket | afxdp) ;; *) echo "hostile-campaign: --backend must be pcap, afpacket or afxdp" >&2; exit 2 ;; esac
for m in ${methods//,/ }; do
    case "$m" in dr | nat | fullnat) ;; *) echo "hostile-campaign: --methods takes dr, nat, fullnat" >&2; exit 2 ;; esac
done
if [[ -n "$syn_proxy" && ! "$methods" =~ ^(nat|fullnat)(,(nat|fullnat))?$ ]]; then echo "hostile-campaign: --syn-proxy needs --methods nat and/or fullnat" >&2; exit 2; fi
[[ "$count" =~ ^[0-9]+$ && "$count" -ge 1 && "$count" -le 100000000 ]] || { echo "hostile-campaign: --count must be 1..100000000" >&2; exit 2; }
[[ -z "$mutations" || ( "$mutations" =~ ^[0-9]+$ && "$mutations" -ge 1 && "$mutations" -le 100000000 ) ]] || { echo "hostile-campaign: --mutations must be 1..100000000" >&2; exit 2; }
[[ "$legit_loops" =~ ^[0-9]+$ && "$legit_loops" -ge 1 && "$legit_loops" -le 16 ]] || { echo "hostile-campaign: --legit-loops must be 1..16" >&2; exit 2; }
[[ -z "$syn_queue" || "$syn_queue" =~ ^[0-9]+$ ]] || { echo "hostile-campaign: --syn-queue takes a number of bytes" >&2; exit 2; }
[[ "$workers" =~ ^[1-8]$ ]] || { echo "hostile-campaign: --workers must be 1..8" >&2; exit 2; }
[[ -z "$capture_buffer" || "$capture_buffer" =~ ^[0-9]+$ ]] || { echo "hostile-campaign: --capture-buffer takes a number of bytes" >&2; exit 2; }
[[ "$(id -u)" -eq 0 ]] || { echo "hostile-campaign: needs root (network namespaces)" >&2; exit 1; }
for f in "$DAEMON_DLL" "$HOSTILE_DLL"; do
    [[ -f "$f" ]] || { echo "hostile-campaign: $f is missing; run ./build.sh build first" >&2; exit 1; }
done
if [[ -n "$short" ]]; then
    count=2000 pps=20000 settle=150 baseline=""
fi

log() { printf 'hostile-campaign: %s\n' "$*" >&2; }

# The daemon runs with the runtime settings of the shipped systemd unit (config/lvsnet.service: its
# 2 MiB gen0 budget, docs/operations.md), as a director runs it. Without it the runtime's default
# budget lets the heap grow by tens of MB before its first collection, and RSS "after" reads that.
UNIT_ENV=()
while IFS= read -r setting; do UNIT_ENV+=("$setting"); done < <(sed -n 's/^Environment=\(DOTNET_GC[A-Za-z0-9_]*=[^ ]*\)$/\1/p' "$ROOT/config/lvsnet.service")
[[ ${#UNIT_ENV[@]} -gt 0 ]] || { echo "hostile-campaign: config/lvsnet.service sets no DOTNET_GC* setting" >&2; exit 1; }

BASE_ID=${id:-hc$$}
BASE_ID=${BASE_ID:0:8}
STATE=$(mktemp -d /tmp/lvt-hostile.XXXXXX)
PIDS=()
DAEMON_PID=""
LAB_ID=""
stop_pid() {
    local pid="$1"
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup_method() {
    local p
    for p in "${PIDS[@]}"; do stop_pid "$p"; done
    PIDS=()
    if [[ -n "$DAEMON_PID" ]]; then stop_pid "$DAEMON_PID"; DAEMON_PID=""; fi
    if [[ -n "$LAB_ID" ]]; then "$ROOT/lab/lab.sh" down "$LAB_ID" >/dev/null 2>&1 || true; LAB_ID=""; fi
}
cleanup() { cleanup_method; rm -rf -- "$STATE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s.%N)
summaries=()
for method in ${methods//,/ }; do
    LAB_ID="${BASE_ID}${method:0:2}"
    dir="$STATE/$method"
    mkdir -p "$dir"
    log "lab $LAB_ID ($method), backend $backend"
    env_text=$("$ROOT/lab/lab.sh" up "$LAB_ID" --rs 2 --mode "$method" --ipv6)
    eval "$(grep -E '^LVT_[A-Z0-9_]+=' <<<"$env_text")"

    pool_yaml="" pool6_yaml=""
    [[ "$method" == fullnat ]] && pool_yaml="    local_addresses: [${LVT_VIP%.*}.50, ${LVT_VIP%.*}.51]" && pool6_yaml="    local_addresses: [${LVT_DIP6%::*}::50]"
    [[ -n "$syn_proxy" ]] && pool_yaml="${pool_yaml:+$pool_yaml
}    syn_proxy: true"
    cat >"$dir/lvsnet.yaml" <<YAML
director:
  interface: $LVT_IF
  address: $LVT_DIP/$LVT_PREFIXLEN
  address6: $LVT_DIP6/64
capture:
  backend: $backend
  workers: $workers${capture_buffer:+
  buffer_size_bytes: $capture_buffer}${syn_queue:+
  syn_queue_bytes: $syn_queue}
virtual_services:
  - name: web
    protocol: tcp
    address: $LVT_VIP
    port: 80
    scheduler: rr
$pool_yaml
    real_servers:
      - address: $LVT_RS1_IP
        method: $method
      - address: $LVT_RS2_IP
        method: $method
  - name: web6
    protocol: tcp
    address: $LVT_VIP6
    port: 80
    scheduler: rr
$pool6_yaml
    real_servers:
      - address: $LVT_RS1_IP6
        method: $method
      - address: $LVT_RS2_IP6
        method: $method
YAML

    "$ROOT/lab/lab.sh" exec "$LAB_ID" dir -- env "${UNIT_ENV[@]}" nice -n "${HOSTILE_DAEMON_NICE:-0}" dotnet "$DAEMON_DLL" --config "$dir/lvsnet.yaml" --stats-interval 0 \
        --socket "$dir/lvsnetd.sock" >"$dir/lvsnetd.log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 1 200); do
        grep -q '"Name":"Started"' "$dir/lvsnetd.log" 2>/dev/null && [[ -S "$dir/lvsnetd.sock" ]] && break
        kill -0 "$DAEMON_PID" 2>/dev/null || { tail -20 "$dir/lvsnetd.log" >&2; log "lvsnetd exited before it started"; exit 1; }
        sleep 0.1
    done
    [[ -S "$dir/lvsnetd.sock" ]] || { tail -20 "$dir/lvsnetd.log" >&2; log "lvsnetd did not start"; exit 1; }

    # Watchers: marked frames at each real server, diverted frames at the client. Bounded by --duration.
    watch_files=()
    for role in rs1 rs2 client; do
        "$ROOT/lab/lab.sh" exec "$LAB_ID" "$role" -- dotnet "$HOSTILE_DLL" watch --interface "$LVT_IF" \
            --dir-mac "$LVT_DIR_MAC" --out "$dir/watch-$role.json" --duration 3000 2>>"$dir/watch.err" &
        PIDS+=($!)
        [[ "$role" == client ]] || watch_files+=("$dir/watch-$role.json")
    done
    for _ in $(seq 1 100); do
        [[ -f "$dir/watch-rs1.json" && -f "$dir/watch-rs2.json" && -f "$dir/watch-client.json" ]] && break
        sleep 0.1
    done

    # Let the director resolve both real servers before anything is measured.
    "$ROOT/lab/lab.sh" exec "$LAB_ID" client -- bash -c "for i in 1 2 3 4; do curl -s -o /dev/null --max-time 3 http://$LVT_VIP/; done" || true

    # Legitimate traffic: --legit-loops loops of new connections (each bounded: 100000 requests or the
    # stop file), and one keep-alive connection (5 requests/s, at most 3000 requests).
    for ((loop = 0; loop < legit_loops; loop++)); do
        "$ROOT/lab/lab.sh" exec "$LAB_ID" client -- bash -c "
            for ((i = 0; i < 100000; i++)); do
                [[ -e '$dir/stop' ]] && break
                s=\$(date +%s%3N)
                code=\$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://$LVT_VIP/ || true)
                echo \"\$s \$(date +%s%3N) \$code\"
            done" >"$dir/legit-$loop.log" 2>/dev/null &
        PIDS+=($!)
    done
    # (-w writes to stderr, which is unbuffered: the lines survive the SIGTERM that ends the transfer loop.)
    "$ROOT/lab/lab.sh" exec "$LAB_ID" client -- curl -s --max-time 900 --rate 5/s -o /dev/null \
        -w '%{stderr}%{num_connects} %{http_code}\n' "http://$LVT_VIP/keepalive[1-3000]" 2>"$dir/keepalive.log" &
    KEEPALIVE_PID=$!
    PIDS+=($KEEPALIVE_PID)
    sleep 1

    # Undo what an ARP class may have poisoned: each real server forgets its neighbours and opens a TCP
    # connection to the DIP, so its kernel sends a genuine who-has with its true MAC. A director that learns
    # from every request takes the true MAC back; a defended one never let it go.
    heal="for ns in ${LVT_RS_NS//,/ }; do ip netns exec \$ns ip neigh flush dev $LVT_IF; ip netns exec \$ns timeout 1 bash -c 'exec 3<>/dev/tcp/$LVT_DIP/9' 2>/dev/null || true; done"
    args=(campaign --interface "$LVT_IF" --dir-mac "$LVT_DIR_MAC" --vip "$LVT_VIP" --dip "$LVT_DIP" --client-ip "$LVT_CLIENT_IP"
        --rs-ips "$LVT_RS_IPS" --rs-macs "$LVT_RS_MACS" --socket "$dir/lvsnetd.sock" --daemon-pid "$DAEMON_PID"
        --watch "$(IFS=,; echo "${watch_files[*]}")" --client-watch "$dir/watch-client.json"
        --vip6 "$LVT_VIP6" --dip6 "$LVT_DIP6" --client-ip6 "$LVT_CLIENT_IP6" --rs-ips6 "$LVT_RS_IPS6"
        --classes "$classes" --count "$count" --pps "$pps" --seed "$seed" --settle-ms "$settle" --max-class-seconds "$max_class" --heal "$heal")
    [[ -n "$mutations" ]] && args+=(--mutations "$mutations")
    [[ -n "$mutation_pps" ]] && args+=(--mutation-pps "$mutation_pps")

    for phase in baseline attack; do
        if [[ "$phase" == baseline && -z "$baseline" ]]; then
            echo '{}' >"$dir/baseline.json"
            continue
        fi
        extra=()
        [[ "$phase" == baseline ]] && extra=(--dry-run)
        log "$method: $phase pass"
        echo "$(date +%s%3N)" >"$dir/$phase.start"
        "$ROOT/lab/lab.sh" exec "$LAB_ID" client -- wrk -t1 -c4 -d3s --timeout 2s "http://$LVT_VIP/" >"$dir/wrk-$phase.txt" 2>&1 &
        wrk_pid=$!
        "$ROOT/lab/lab.sh" exec "$LAB_ID" client -- dotnet "$HOSTILE_DLL" "${args[@]}" "${extra[@]}" >"$dir/$phase.json" 2>>"$dir/campaign.err"
        wait "$wrk_pid" || true
        echo "$(date +%s%3N)" >"$dir/$phase.end"
    done

    touch "$dir/stop"
    sleep 0.5
    stop_pid "$KEEPALIVE_PID"
    # The daemon's own view at the end (capture drops in the kernel's buffer, fragment and SYN-proxy counters).
    LVSNET_SOCKET="$dir/lvsnetd.sock" dotnet "$ADM_DLL" status >"$dir/status-end.txt" 2>&1 || true
    rss_end=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null || echo -1)
    alive=0
    kill -0 "$DAEMON_PID" 2>/dev/null && alive=1
    stop_pid "$DAEMON_PID"
    DAEMON_PID=""
    summaries+=("$(python3 "$ROOT/lab/hostile-report.py" "$dir" "$method" "$backend" "$alive" "$rss_end")")
    # HOSTILE_KEEP=DIR keeps the run's files (logs, status, watcher counts) for a closer look.
    if [[ -n "${HOSTILE_KEEP:-}" ]]; then mkdir -p "$HOSTILE_KEEP" && cp -r "$dir" "$HOSTILE_KEEP/"; fi
    cleanup_method
done

log "done in $(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 1))" "$started") s"
(IFS=,; echo "[${summaries[*]}]")

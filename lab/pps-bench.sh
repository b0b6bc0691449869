#!/usr/bin/env bash
# lab/pps-bench.sh - packets-per-second bench of lvsnetd in the namespace lab (DR, NAT or TUN).
#
# Usage (root; build first with ./build.sh build, or run it through ./build.sh bench pps):
#   lab/pps-bench.sh [--backend pcap|afpacket|afxdp] [--workers N] [--method dr|nat|tun|fullnat] [--short]
#                    [--pps N] [--seconds S] [--flows N] [--sources N] [--id ID]
#
# Builds a lab with lab/lab.sh (client, director, 2 real servers; --method, default dr), starts lvsnetd in the
# director namespace, and for each case blasts frames from the client namespace at the VIP with
# lvsnet-blaster (batched AF_PACKET sends, bounded by count and time). Each real server counts and
# drops the forwarded frames (dr, nat, fullnat: TCP to port 80; tun: IPIP) in an nftables prerouting chain,
# so the servers' stacks stay idle.
# Cases: ack64, ack512 (established-flow ACKs, 1024 flows) and syn64 (SYN flood), --seconds each
# (default 3, at most 5); --short runs
# ack64 only, for about one second. Reported per case: offered pps, forwarded pps, loss % and the
# daemon's CPU seconds (utime+stime from /proc/PID/stat) per million forwarded frames. The last
# line of output is a JSON array of the results. Every namespace is deleted on exit (trap).
#
# --id ID names the lab (default pps<pid>), so a caller can run `lab/lab.sh down ID` if it had to kill the bench.
# --backend X and --workers N (1..8; more than 1 needs afpacket) go into the generated
# configuration's `capture:` section. --sources N (1..64, default 64) spreads the flows over N client
# addresses (10.77.0.128 up), since several workers steer by client address. --port N (default 80)
# is the port the frames go to: a port without a service measures what receiving and dropping
# costs the daemon (NoService), without the sending side (see cpu_s_per_m_offered in the JSON).
set -Eeuo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION=${CONFIGURATION:-Release}
DAEMON_DLL="$ROOT/src/LvsNet.Daemon/bin/$CONFIGURATION/net10.0/lvsnetd.dll"
BLASTER_DLL="$ROOT/tools/LvsNet.Blaster/bin/$CONFIGURATION/net10.0/lvsnet-blaster.dll"

backend=pcap method=dr short="" pps=0 seconds=3 flows=1024 id="" workers=1 sources=64 port=80
while [[ $# -gt 0 ]]; do
    case "$1" in
        --backend) backend="$2"; shift 2 ;;
        --backend=*) backend="${1#*=}"; shift ;;
        --method) method="$2"; shift 2 ;;
        --method=*) method="${1#*=}"; shift ;;
        --short) short=1; shift ;;
        --pps) pps="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --flows) flows="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --sources) sources="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --id) id="$2"; shift 2 ;;
        *) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
case "$backend" in pcap | afpacket | afxdp) ;; *) echo "pps-bench: --backend must be pcap, afpacket or afxdp" >&2; exit 2 ;; esac
[[ "$workers" =~ ^[0-9]+$ && "$workers" -ge 1 && "$workers" -le 8 ]] || { echo "pps-bench: --workers must be 1..8" >&2; exit 2; }
[[ "$sources" =~ ^[0-9]+$ && "$sources" -ge 1 && "$sources" -le 64 ]] || { echo "pps-bench: --sources must be 1..64" >&2; exit 2; }
case "$method" in dr | nat | fullnat) match="tcp dport 80" ;; tun) match="ip protocol 4" ;; *) echo "pps-bench: --method must be dr, nat, tun or fullnat" >&2; exit 2 ;; esac
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 && "$seconds" -le 5 ]] || { echo "pps-bench: --seconds must be 1..5" >&2; exit 2; }
[[ "$(id -u)" -eq 0 ]] || { echo "pps-bench: needs root (network namespaces)" >&2; exit 1; }
for f in "$DAEMON_DLL" "$BLASTER_DLL"; do
    [[ -f "$f" ]] || { echo "pps-bench: $f is missing; run ./build.sh build first" >&2; exit 1; }
done
if [[ -n "$short" ]]; then
    seconds=1
    cases=(ack64)
else
    cases=(ack64 ack512 syn64)
fi

log() { printf 'pps-bench: %s\n' "$*" >&2; }

ID=${id:-pps$$}
ID=${ID:0:10}
STATE=$(mktemp -d /tmp/lvt-pps.XXXXXX)
DAEMON_PID=""
cleanup() {
    if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
    fi
    "$ROOT/lab/lab.sh" down "$ID" >/dev/null 2>&1 || true
    rm -rf -- "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s.%N)
log "lab $ID: client, director, rs1, rs2 ($method)"
env_text=$("$ROOT/lab/lab.sh" up "$ID" --rs 2 --mode "$method")
eval "$(grep -E '^LVT_[A-Z0-9_]+=' <<<"$env_text")"

# Count and drop the forwarded frames on each real server before its stack sees them.
for ns in ${LVT_RS_NS//,/ }; do
    ip netns exec "$ns" nft -f - <<NFT
table ip lvtbench {
    chain pre {
        type filter hook prerouting priority raw; policy accept;
        $match counter drop
    }
}
NFT
done

rs_count() {
    local total=0 ns n
    for ns in ${LVT_RS_NS//,/ }; do
        n=$(ip netns exec "$ns" nft list table ip lvtbench | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }

capture_yaml=$'capture:\n  backend: '"$backend"$'\n  workers: '"$workers"
pool_yaml=""
[[ "$method" == fullnat ]] && pool_yaml="    local_addresses: [${LVT_VIP%.*}.50, ${LVT_VIP%.*}.51]"
cat >"$STATE/lvsnet.yaml" <<YAML
director:
  interface: $LVT_IF
  address: $LVT_DIP/$LVT_PREFIXLEN
$capture_yaml
connections:
  max_entries: 262144
virtual_services:
  - name: bench
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
YAML

log "lvsnetd (backend $backend, $workers worker(s))"
"$ROOT/lab/lab.sh" exec "$ID" dir -- dotnet "$DAEMON_DLL" --config "$STATE/lvsnet.yaml" --stats-interval 0 >"$STATE/lvsnetd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 150); do
    grep -q '"Name":"Started"' "$STATE/lvsnetd.log" 2>/dev/null && break
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
        tail -20 "$STATE/lvsnetd.log" >&2
        log "lvsnetd exited before it started (backend $backend not supported by this build?)"
        exit 1
    fi
    sleep 0.1
done
grep -q '"Name":"Started"' "$STATE/lvsnetd.log" || { tail -20 "$STATE/lvsnetd.log" >&2; log "lvsnetd did not start"; exit 1; }
grep -q "\"Backend\":\"$backend\",\"Workers\":$workers" "$STATE/lvsnetd.log" || { grep '"Started"' "$STATE/lvsnetd.log" >&2; log "lvsnetd did not start with backend $backend and $workers worker(s)"; exit 1; }

# Let the director resolve both real servers (ARP) before the clock starts.
"$ROOT/lab/lab.sh" exec "$ID" client -- dotnet "$BLASTER_DLL" --interface "$LVT_IF" --dst-mac "$LVT_DIR_MAC" \
    --src-ip "$LVT_CLIENT_IP" --vip "$LVT_VIP" --mode ack --flows 16 --count 16 --duration 1 >/dev/null
sleep 0.3

# Flows come from $sources client addresses (10.77.0.128 up when more than one): several workers
# steer by client address, so one address would keep every frame on one worker.
SOURCE_IP=$LVT_CLIENT_IP
[[ "$sources" -gt 1 ]] && SOURCE_IP=${LVT_VIP%.*}.128
results=()
printf '%-8s %12s %12s %12s %8s %14s\n' case offered offered_pps forwarded_pps loss_% cpu_s_per_Mpkt >&2
for c in "${cases[@]}"; do
    case "$c" in
        ack64) args=(--mode ack --size 64 --flows "$flows") ;;
        ack512) args=(--mode ack --size 512 --flows "$flows") ;;
        syn64) args=(--mode syn --size 64) ;;
    esac
    before_rs=$(rs_count)
    before_cpu=$(cpu_ticks)
    out=$("$ROOT/lab/lab.sh" exec "$ID" client -- dotnet "$BLASTER_DLL" --interface "$LVT_IF" --dst-mac "$LVT_DIR_MAC" \
        --src-ip "$SOURCE_IP" --sources "$sources" --vip "$LVT_VIP" --port "$port" --pps "$pps" --count 20000000 --duration "$seconds" "${args[@]}")
    sleep 0.3
    after_cpu=$(cpu_ticks)
    after_rs=$(rs_count)
    result=$(python3 - "$c" "$backend" "$out" "$before_rs" "$after_rs" "$before_cpu" "$after_cpu" "$(getconf CLK_TCK)" "$method" "$workers" <<'PY'
import json, sys
case, backend, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
rs0, rs1, cpu0, cpu1, hz = (int(v) for v in sys.argv[4:9])
method = sys.argv[9]
workers = int(sys.argv[10])
forwarded = rs1 - rs0 - out["primed"]
offered = out["sent"]
seconds = out["seconds"]
cpu = (cpu1 - cpu0) / hz
print(json.dumps({
    "case": case, "backend": backend, "workers": workers, "method": method, "frame_bytes": out["frame_bytes"],
    "offered": offered, "offered_pps": round(offered / seconds), "forwarded": forwarded,
    "forwarded_pps": round(forwarded / seconds), "loss_pct": round(100.0 * (offered - forwarded) / offered, 2) if offered else 0.0,
    "daemon_cpu_s": round(cpu, 2), "cpu_s_per_mpkt": round(cpu / (forwarded / 1e6), 2) if forwarded > 0 else None,
    "cpu_s_per_m_offered": round(cpu / (offered / 1e6), 2) if offered > 0 else None,
    "seconds": seconds}))
PY
)
    results+=("$result")
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%-8s %12d %12d %12d %8.2f %14s" % (r["case"], r["offered"], r["offered_pps"], r["forwarded_pps"], r["loss_pct"], r["cpu_s_per_mpkt"]), file=sys.stderr)' "$result"
done

# Stop the daemon for its final counters: what the kernel dropped before the daemon read it, and the data path's own drops.
kill -TERM "$DAEMON_PID" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
python3 - "$STATE/lvsnetd.log" <<'PY' >&2 || true
import json, sys
for line in open(sys.argv[1]):
    try:
        p = json.loads(line)  # CLEF: properties at the top level
    except ValueError:
        continue
    name = p.get("EventId", {}).get("Name")
    if name in ("CaptureStatistics", "DropSummary"):
        print("lvsnetd %s: %s" % (name, {k: v for k, v in p.items() if k not in ("EventId", "SourceContext") and not k.startswith("@")}))
PY

log "done in $(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 1))" "$started") s"
(IFS=,; echo "[${results[*]}]")

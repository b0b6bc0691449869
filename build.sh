#!/usr/bin/env bash
# LvsNet build, demo and test entry point.
#   ./build.sh setup   install what is missing (Debian packages, NuGet restore); idempotent
#   ./build.sh build   build everything (Release)
#   ./build.sh demo    namespace lab: client, director running lvsnetd in DR mode, two nginx real servers
#   ./build.sh test    setup, build, run every test (unit and namespace end-to-end); last line
#                      "tests: N passed, N failed"
#   ./build.sh bench   BenchmarkDotNet per-packet benchmarks (not part of test)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIGURATION=${CONFIGURATION:-Release}
APT_PACKAGES=(libpcap0.8 libpcap-dev tcpdump tshark iproute2 nftables ethtool nginx wrk curl procps)

log() { printf '==> %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh $1: needs root (network namespaces, libpcap); run: sudo ./build.sh $1" >&2
    exit 1
  fi
}

setup() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    need_root setup
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; answer no without a prompt.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # nginx's packaged service is not wanted on a director or in the lab.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl stop nginx >/dev/null 2>&1 || true
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "build.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2
    exit 1
  fi
  log "dotnet restore"
  dotnet restore LvsNet.sln --nologo -v q >/dev/null
}

build() {
  log "dotnet build ($CONFIGURATION)"
  dotnet build LvsNet.sln -c "$CONFIGURATION" --no-restore --nologo -v q -clp:ErrorsOnly
}

daemon_dll() { echo "$ROOT/src/LvsNet.Daemon/bin/$CONFIGURATION/net10.0/lvsnetd.dll"; }

demo() {
  need_root demo
  setup
  build
  # Globals: the EXIT trap runs after this function has returned.
  DEMO_ID="demo$$"
  DEMO_ID=${DEMO_ID:0:10}
  DEMO_STATE=$(mktemp -d /tmp/lvt-demo.XXXXXX)
  DEMO_PID=""
  local id=$DEMO_ID state=$DEMO_STATE
  cleanup() {
    if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
      kill -TERM "$DEMO_PID" 2>/dev/null || true
      wait "$DEMO_PID" 2>/dev/null || true
    fi
    "$ROOT/lab/lab.sh" down "$DEMO_ID" >/dev/null 2>&1 || true
    rm -rf "$DEMO_STATE"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  log "creating the namespace lab $id (client, director, rs1, rs2)"
  "$ROOT/lab/lab.sh" up "$id" --rs 2 --mode dr >/dev/null
  log "starting lvsnetd in the director namespace with config/examples/dr.yaml"
  "$ROOT/lab/lab.sh" exec "$id" dir -- dotnet "$(daemon_dll)" --config "$ROOT/config/examples/dr.yaml" --stats-interval 0 >"$state/lvsnetd.log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 1 200); do
    grep -q '"EventId":{"Id":100' "$state/lvsnetd.log" 2>/dev/null && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$state/lvsnetd.log"; echo "lvsnetd exited" >&2; exit 1; }
    sleep 0.1
  done

  log "20 requests from the client to http://10.77.0.100/"
  for i in $(seq 1 20); do
    answer=$("$ROOT/lab/lab.sh" exec "$id" client -- curl -s --max-time 3 http://10.77.0.100/ || echo "(no answer)")
    printf '  request %2d -> %s\n' "$i" "$answer"
  done

  log "stopping lvsnetd (SIGTERM); its final per-server counters:"
  kill -TERM "$DEMO_PID"
  wait "$DEMO_PID" || true
  DEMO_PID=""
  python3 - "$state/lvsnetd.log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    p = e.get("Properties", {})
    if p.get("EventId", {}).get("Name") == "ServerStatistics":
        print(f"  {p['Service']} -> {p['Server']}: conns {p['Connections']} inpkts {p['InPackets']} inbytes {p['InBytes']} active {p['ActiveConnections']} inactive {p['InactiveConnections']}")
    elif p.get("EventId", {}).get("Name") == "DropSummary":
        print(f"  data path: received {p['Received']} forwarded {p['Forwarded']} dropped {p['Dropped']} drops {p.get('Drops')}")
PY
}

run_tests() {
  need_root test
  setup
  build
  local results
  results=$(mktemp -d /tmp/lvsnet-tests.XXXXXX)
  local passed=0 failed=0 skipped=0
  local projects=(
    tests/LvsNet.Packets.Tests
    tests/LvsNet.Pcap.Tests
    tests/LvsNet.Core.Tests
    tests/LvsNet.Daemon.Tests
    tests/LvsNet.Lab.Tests
  )
  for project in "${projects[@]}"; do
    local name
    name=$(basename "$project")
    log "test $name"
    local out="$results/$name.log"
    set +e
    timeout 1200 dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" >"$out" 2>&1
    local code=$?
    set -e
    # Failures with their messages, as the console logger printed them.
    grep -E '^\s+Failed |\[FAIL\]|Error Message|Assert\.|Expected|Actual' "$out" | head -80 >&2 || true
    local counters
    counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" 2>/dev/null || true)
    if [ -z "$counters" ]; then
      log "$name: no test results (exit $code); counted as one failure"
      tail -40 "$out" >&2
      failed=$((failed + 1))
      continue
    fi
    local total p f
    total=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    # Anything that did not pass and did not fail (timeout, aborted, not executed) is a failure too.
    local other=$(( total - p - f ))
    log "$name: $p passed, $f failed, $other other (skipped/aborted), exit $code"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + other))
    if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then
      log "$name: dotnet test exited $code with no failed test; counted as one failure"
      tail -20 "$out" >&2
      failed=$((failed + 1))
    fi
  done
  if [ "$skipped" -gt 0 ]; then
    log "$skipped test(s) neither passed nor failed (skipped, aborted or not run)"
    if [ -n "${CI:-}" ]; then
      log "under CI nothing may be skipped: counted as failures"
      failed=$((failed + skipped))
    fi
  fi
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

bench() {
  setup
  dotnet run -c Release --project tests/LvsNet.Benchmarks -- "${@:-}"
}

case "${1:-help}" in
  setup) setup ;;
  build) setup; build ;;
  demo) demo ;;
  test) run_tests ;;
  bench) shift; bench "$@" ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

#!/usr/bin/env bash
# LvsNet build, demo and test entry point.
#   ./build.sh setup   install what is missing (Debian packages, NuGet restore); idempotent
#   ./build.sh build   build everything (Release)
#   ./build.sh demo    namespace lab: client, director running lvsnetd in DR mode, two nginx real servers
#   ./build.sh test    setup, build, run every test (unit and namespace end-to-end); last line
#                      "tests: N passed, N failed"
#   ./build.sh bench [micro] [ARGS]   BenchmarkDotNet per-packet benchmarks (not part of test)
#   ./build.sh bench pps [--short] [--backend pcap|afpacket|afxdp] [--workers N]   forwarding rate of lvsnetd in the
#                      namespace lab (lab/pps-bench.sh: offered/forwarded pps, loss, CPU per packet)
#   ./build.sh bench http [--short] [--runs N] [--seconds S] [--rows LIST]   wrk through lvsnetd (every backend,
#                      DR and NAT), HAProxy, nginx stream and the direct path (lab/http-bench.sh)
#   ./build.sh bench hostile [--short] [--backend pcap|afpacket|afxdp] [--methods dr,nat] [ARGS]   hostile-traffic
#                      campaign beside legitimate clients in the namespace lab (lab/hostile-campaign.sh, docs/reliability.md)
#   ./build.sh install [--no-build]   publish lvsnetd and lvsnetadm to /opt/lvsnet, install the systemd unit,
#                      create the lvsnet user and /etc/lvsnet/lvsnet.yaml (if absent); DESTDIR=/x stages only
#   ./build.sh uninstall [--purge]    remove what install put there (--purge: also /etc/lvsnet and the user)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIGURATION=${CONFIGURATION:-Release}
APT_PACKAGES=(libpcap0.8 libpcap-dev tcpdump tshark iproute2 iputils-ping nftables ethtool nginx wrk curl procps python3 openssl dnsmasq-base python3-aiosmtpd prometheus haproxy libnginx-mod-stream chromium tmux keepalived bird2 bpftool)

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
    p = e  # CLEF: properties at the top level
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
    tests/LvsNet.PacketIo.Tests
    tests/LvsNet.Core.Tests
    tests/LvsNet.Control.Tests
    tests/LvsNet.Cli.Tests
    tests/LvsNet.Daemon.Tests
    tests/LvsNet.Lab.Tests
  )
  for project in "${projects[@]}"; do
    local name
    name=$(basename "$project")
    log "test $name"
    local out="$results/$name.log"
    set +e
    # A bound per project: the lab's 120 scenarios take 22-25 min on a 2-core machine.
    timeout 1680 dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" >"$out" 2>&1
    local code=$?
    set -e
    # Failures with their messages, as the console logger printed them.
    grep -E '^\s+Failed |\[FAIL\]|Error Message|Exception|Assert\.|Expected|Actual' "$out" | head -80 >&2 || true
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
  case "${1:-}" in
    pps)
      shift
      need_root "bench pps"
      setup
      build
      lab/pps-bench.sh "$@"
      ;;
    http)
      shift
      need_root "bench http"
      setup
      build
      lab/http-bench.sh "$@"
      ;;
    hostile)
      shift
      need_root "bench hostile"
      setup
      build
      lab/hostile-campaign.sh "$@"
      ;;
    micro)
      shift
      setup
      dotnet run -c Release --project tests/LvsNet.Benchmarks -- "$@"
      ;;
    *)
      setup
      dotnet run -c Release --project tests/LvsNet.Benchmarks -- "$@"
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# install / uninstall (docs/operations.md). DESTDIR stages the files under another root and skips
# everything that changes the running system (user, ownership, systemctl).

PREFIX=${PREFIX:-/opt/lvsnet}
SYSCONFDIR=${SYSCONFDIR:-/etc/lvsnet}
UNITDIR=${UNITDIR:-/etc/systemd/system}
SBINDIR=${SBINDIR:-/usr/local/sbin}
INSTALL_MARKER=.lvsnet-install

systemd_running() { [ -z "${DESTDIR:-}" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

install_lvsnet() {
  [ -n "${DESTDIR:-}" ] || need_root install
  local no_build=""
  [ "${1:-}" = "--no-build" ] && no_build="--no-build"
  command -v dotnet >/dev/null 2>&1 || { echo "build.sh install: dotnet (the .NET 10 SDK or runtime) is not on PATH" >&2; exit 1; }
  local root=${DESTDIR:-} dotnet_root
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  local prefix="$root$PREFIX" staging="$root$PREFIX.new"

  log "publishing lvsnetd and lvsnetadm to $prefix"
  rm -rf "$staging"
  dotnet publish src/LvsNet.Daemon/LvsNet.Daemon.csproj -c Release -o "$staging" --nologo -v q $no_build >/dev/null
  dotnet publish src/LvsNet.Cli/LvsNet.Cli.csproj -c Release -o "$staging" --nologo -v q $no_build >/dev/null
  rm -f "$staging"/*.pdb "$staging"/*.xml
  install -d -m 0755 "$staging/docs"
  install -m 0644 docs/*.md "$staging/docs/"
  install -m 0644 config/lvsnet.yaml "$staging/lvsnet.yaml.example"
  install -m 0644 config/lvsnet.service "$staging/lvsnet.service"
  echo "installed $(date -u +%Y-%m-%dT%H:%M:%SZ) from $ROOT" >"$staging/$INSTALL_MARKER"
  # Swap directories instead of overwriting files: a running lvsnetd keeps its mapped files.
  if [ -d "$prefix" ]; then
    [ -f "$prefix/$INSTALL_MARKER" ] || { echo "build.sh install: $prefix exists but was not made by build.sh install; not replacing it" >&2; exit 1; }
    rm -rf "$prefix.old"
    mv "$prefix" "$prefix.old"
  fi
  mkdir -p "$(dirname "$prefix")"
  mv "$staging" "$prefix"
  rm -rf "$prefix.old"

  install -d -m 0755 "$root$SBINDIR"
  printf '#!/bin/sh\n# lvsnetadm: ipvsadm for lvsnetd (installed by build.sh install)\nDOTNET_ROOT=${DOTNET_ROOT:-%s} exec %s/lvsnetadm "$@"\n' "$dotnet_root" "$PREFIX" >"$root$SBINDIR/lvsnetadm"
  chmod 0755 "$root$SBINDIR/lvsnetadm"

  if [ -z "$root" ] && ! getent passwd lvsnet >/dev/null; then
    log "creating the system user lvsnet"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --comment "LvsNet director daemon" lvsnet
  fi

  install -d -m 0750 "$root$SYSCONFDIR"
  if [ ! -e "$root$SYSCONFDIR/lvsnet.yaml" ]; then
    log "creating $SYSCONFDIR/lvsnet.yaml from config/lvsnet.yaml (edit director and virtual_services)"
    install -m 0640 config/lvsnet.yaml "$root$SYSCONFDIR/lvsnet.yaml"
  else
    log "keeping the existing $SYSCONFDIR/lvsnet.yaml"
  fi
  if [ -z "$root" ]; then
    chown root:lvsnet "$SYSCONFDIR" "$SYSCONFDIR/lvsnet.yaml"
  fi

  install -d -m 0755 "$root$UNITDIR" "$root$UNITDIR/lvsnet.service.d"
  sed "s|/opt/lvsnet|$PREFIX|g; s|/etc/lvsnet|$SYSCONFDIR|g" config/lvsnet.service >"$root$UNITDIR/lvsnet.service"
  chmod 0644 "$root$UNITDIR/lvsnet.service"
  printf '# Written by build.sh install: where the .NET runtime is.\n[Service]\nEnvironment=DOTNET_ROOT=%s\n' "$dotnet_root" >"$root$UNITDIR/lvsnet.service.d/10-dotnet.conf"
  chmod 0644 "$root$UNITDIR/lvsnet.service.d/10-dotnet.conf"

  if command -v systemd-analyze >/dev/null 2>&1 && [ -z "$root" ]; then
    systemd-analyze verify "$UNITDIR/lvsnet.service" || log "warning: systemd-analyze verify reported the problems above"
  fi
  if systemd_running; then
    systemctl daemon-reload
    log "installed; start with: systemctl enable --now lvsnet   (upgrade: systemctl restart lvsnet)"
  else
    log "installed under ${root:-/}; systemd is not running here, so nothing was started"
  fi
}

uninstall_lvsnet() {
  [ -n "${DESTDIR:-}" ] || need_root uninstall
  local root=${DESTDIR:-} purge=""
  [ "${1:-}" = "--purge" ] && purge=1
  if systemd_running; then
    systemctl disable --now lvsnet >/dev/null 2>&1 || true
  fi
  rm -f "$root$UNITDIR/lvsnet.service" "$root$UNITDIR/lvsnet.service.d/10-dotnet.conf"
  rmdir "$root$UNITDIR/lvsnet.service.d" 2>/dev/null || true
  if systemd_running; then
    systemctl daemon-reload
  fi
  if [ -f "$root$SBINDIR/lvsnetadm" ] && grep -q 'installed by build.sh install' "$root$SBINDIR/lvsnetadm"; then
    rm -f "$root$SBINDIR/lvsnetadm"
  fi
  if [ -d "$root$PREFIX" ]; then
    if [ -f "$root$PREFIX/$INSTALL_MARKER" ]; then
      rm -rf "$root$PREFIX"
    else
      log "not removing $root$PREFIX: it was not made by build.sh install"
    fi
  fi
  if [ -n "$purge" ]; then
    rm -rf "$root$SYSCONFDIR"
    if [ -z "$root" ] && getent passwd lvsnet >/dev/null; then
      userdel lvsnet >/dev/null 2>&1 || log "warning: could not remove the user lvsnet"
    fi
    log "uninstalled, configuration and user removed"
  else
    log "uninstalled; kept $SYSCONFDIR and the lvsnet user (uninstall --purge removes them)"
  fi
}

case "${1:-help}" in
  setup) setup ;;
  build) setup; build ;;
  demo) demo ;;
  test) run_tests ;;
  bench) shift; bench "$@" ;;
  install) shift; install_lvsnet "$@" ;;
  uninstall) shift; uninstall_lvsnet "$@" ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

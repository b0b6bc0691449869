#!/usr/bin/env bash
# The LvsNet namespace lab: a switch namespace with a bridge, and host namespaces (client,
# director, real servers) each with an eth0 attached to it. Traffic stays inside these namespaces.
#
#   lab.sh up ID [--rs N] [--mode dr|nat|tun]   create lab ID (short: interface names are <= 15 chars)
#   lab.sh down ID                              stop its processes, delete its namespaces (idempotent)
#   lab.sh exec ID ROLE -- CMD...               run CMD in namespace lvt-ID-ROLE (client, dir, rs1.., sw)
#   lab.sh list                                 list lvt-* namespaces
#
# Addresses (10.77.0.0/24): client .10, director (DIP) .2, real servers .11, .12, ...;
# VIPs 10.77.0.100 and 10.77.0.101. The director holds only its DIP (lvsnetd answers for the VIP).
# Real servers run nginx on ports 80 and 8080 answering "rsK\n" (and /health -> "ok").
# State (pid files, nginx configs, lab.env) lives in ${LVT_STATE_DIR:-/tmp/lvt-ID}.
set -euo pipefail

NET=10.77.0
VIP=$NET.100
VIP2=$NET.101
DIP=$NET.2
CLIENT_IP=$NET.10

die() { echo "lab.sh: $*" >&2; exit 1; }
ns() { echo "lvt-$1-$2"; }
state_dir() { echo "${LVT_STATE_DIR:-/tmp/lvt-$1}"; }

offloads_off() { # ns ifname
  ip netns exec "$1" ethtool -K "$2" rx off tx off sg off tso off gso off gro off >/dev/null 2>&1 ||
    ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
}

add_host() { # id role address index
  local id=$1 role=$2 addr=$3 idx=$4
  local host sw
  host=$(ns "$id" "$role"); sw=$(ns "$id" sw)
  ip netns add "$host"
  ip netns exec "$host" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  # Temporary names in the root namespace must be unique: lvt + id + index.
  local tmp_host="lvt${id}h$idx" tmp_sw="lvt${id}s$idx"
  [ ${#tmp_host} -le 15 ] || die "lab id '$id' too long"
  ip link add "$tmp_host" type veth peer name "$tmp_sw"
  ip link set "$tmp_host" netns "$host"
  ip link set "$tmp_sw" netns "$sw"
  ip -n "$host" link set "$tmp_host" name eth0
  ip -n "$sw" link set "$tmp_sw" name "$role"
  ip -n "$sw" link set "$role" master br0 up
  ip -n "$host" link set lo up
  ip -n "$host" link set eth0 up
  ip -n "$host" addr add "$addr/24" dev eth0
  offloads_off "$host" eth0
  offloads_off "$sw" "$role"
}

start_nginx() { # id k
  local id=$1 k=$2 dir host
  dir=$(state_dir "$id")/rs$k; host=$(ns "$id" "rs$k")
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
user root;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_timeout 5s;
  default_type text/plain;
  server {
    listen 80 reuseport;
    listen 8080 reuseport;
    location = /health { return 200 "ok\n"; }
    location / { return 200 "rs$k\n"; }
  }
}
NGINX
  ip netns exec "$host" nginx -c "$dir/nginx.conf" -e "$dir/error.log"
  for _ in $(seq 1 50); do
    if ip netns exec "$host" curl -s --max-time 1 http://127.0.0.1/ 2>/dev/null | grep -qx "rs$k"; then
      return 0
    fi
    sleep 0.1
  done
  die "nginx on rs$k does not answer"
}

up() {
  local id=$1; shift
  local rs=2 mode=dr
  while [ $# -gt 0 ]; do
    case $1 in
      --rs) rs=$2; shift 2 ;;
      --mode) mode=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ $id =~ ^[a-z0-9]{1,8}$ ]] || die "lab id must be 1-8 lower-case letters or digits"
  [[ $mode =~ ^(dr|nat|tun)$ ]] || die "mode must be dr, nat or tun"
  for tool in ip ethtool nginx curl sysctl; do command -v $tool >/dev/null || die "$tool is missing (run ./build.sh setup)"; done
  ip netns list | grep -q "^lvt-$id-" && die "lab $id already exists (lab.sh down $id)"

  local dir; dir=$(state_dir "$id")
  mkdir -p "$dir"
  trap 'echo "lab.sh: up failed; tearing down" >&2; down "$id" >/dev/null 2>&1' ERR

  local sw; sw=$(ns "$id" sw)
  ip netns add "$sw"
  ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  ip -n "$sw" link set lo up

  add_host "$id" client "$CLIENT_IP" 0
  add_host "$id" dir "$DIP" 1
  ip netns exec "$(ns "$id" client)" ip route add default via "$DIP"
  ip netns exec "$(ns "$id" dir)" sysctl -qw net.ipv4.ip_forward=0

  for k in $(seq 1 "$rs"); do
    local host; host=$(ns "$id" "rs$k")
    add_host "$id" "rs$k" "$NET.$((10 + k))" "$((k + 1))"
    ip netns exec "$host" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
    if [ "$mode" = nat ]; then
      ip netns exec "$host" ip route add default via "$DIP"
    else
      ip -n "$host" addr add "$VIP/32" dev lo
      ip -n "$host" addr add "$VIP2/32" dev lo
      ip netns exec "$host" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    fi
    start_nginx "$id" "$k"
  done
  trap - ERR

  {
    echo "LAB_ID=$id"
    echo "LAB_MODE=$mode"
    echo "LAB_RS_COUNT=$rs"
    echo "LAB_VIP=$VIP"
    echo "LAB_VIP2=$VIP2"
    echo "LAB_DIP=$DIP"
    echo "LAB_CLIENT_IP=$CLIENT_IP"
    echo "LAB_NS_SW=$(ns "$id" sw)"
    echo "LAB_NS_CLIENT=$(ns "$id" client)"
    echo "LAB_NS_DIR=$(ns "$id" dir)"
    echo "LAB_CLIENT_MAC=$(ip netns exec "$(ns "$id" client)" cat /sys/class/net/eth0/address)"
    echo "LAB_DIR_MAC=$(ip netns exec "$(ns "$id" dir)" cat /sys/class/net/eth0/address)"
    for k in $(seq 1 "$rs"); do
      echo "LAB_NS_RS$k=$(ns "$id" "rs$k")"
      echo "LAB_RS${k}_IP=$NET.$((10 + k))"
      echo "LAB_RS${k}_MAC=$(ip netns exec "$(ns "$id" "rs$k")" cat /sys/class/net/eth0/address)"
    done
  } >"$dir/lab.env"
  cat "$dir/lab.env"
}

down() {
  local id=$1 dir
  dir=$(state_dir "$id")
  # nginx of this lab, by its pid files.
  for pidfile in "$dir"/rs*/nginx.pid; do
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  # Anything else still running inside this lab's namespaces was started in them by this lab.
  local name
  for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^lvt-$id-" || true); do
    for pid in $(ip netns pids "$name" 2>/dev/null || true); do
      kill -TERM "$pid" 2>/dev/null || true
    done
  done
  sleep 0.2
  for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^lvt-$id-" || true); do
    for pid in $(ip netns pids "$name" 2>/dev/null || true); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns delete "$name" 2>/dev/null || true
  done
  rm -rf "$dir"
  return 0
}

case "${1:-}" in
  up) [ $# -ge 2 ] || die "usage: lab.sh up ID [--rs N] [--mode dr|nat|tun]"; shift; up "$@" ;;
  down) [ $# -ge 2 ] || die "usage: lab.sh down ID"; down "$2" ;;
  exec)
    [ $# -ge 4 ] && [ "$4" = "--" ] || die "usage: lab.sh exec ID ROLE -- CMD..."
    id=$2; role=$3; shift 4
    exec ip netns exec "$(ns "$id" "$role")" "$@" ;;
  list) ip netns list | awk '{print $1}' | grep '^lvt-' || true ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

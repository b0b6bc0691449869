#!/usr/bin/env bash
# lab/lab.sh - network-namespace test lab for LvsNet (used by the demo and the end-to-end tests).
#
# Usage (run as root):
#   lab/lab.sh up ID [--rs N] [--mode dr|nat|tun|fullnat] [--directors 1|2] [--keepalive-timeout S] [--state DIR]
#       Create lab ID (1-10 characters, [A-Za-z0-9]). Defaults: N=2 real servers, mode dr, one
#       director; --directors 2 adds a second director lvt-ID-dir2 (10.77.0.3) for HA tests.
#       Progress goes to stderr; on success the content of DIR/lab.env goes to stdout.
#       On any failure everything this invocation created is removed again and the exit code is 1.
#   lab/lab.sh up ID [--mode dr|nat|tun|fullnat] --ipv6 ...
#       Also IPv6 on the segment (ULA prefix fd77::/64, inside the lab's namespaces only): client
#       fd77::10, dir fd77::2, rsK fd77::(10+K) (hex), all /64 without DAD or router
#       advertisements; dr, tun: the IPv6 VIPs fd77::100 and fd77::101 as /128 on lo of every real
#       server (an address on lo is not advertised on eth0, so IPv6 DR needs no arp_ignore
#       counterpart), nginx also listening on [::]:80 and [::]:8080; nat: every real server's
#       IPv6 default route and a host route to the client fd77::10 via the director's fd77::2
#       (the IPv6 counterpart of the IPv4 NAT routes; the IPv4 ones are set too, so one lab
#       serves an IPv4 and an IPv6 NAT service from the same real servers); fullnat: nothing more
#       (the real servers answer the director's IPv6 local address, e.g. fd77::50, on the link).
#       --mode nat64 is the same as --mode fullnat --ipv6 (NAT64: the IPv4 real servers answer the
#       director's IPv4 local address, e.g. 10.77.0.50, as for IPv4 fullnat).
#       lab.env gains LVT_VIP6,
#       LVT_VIP6_2, LVT_CLIENT_IP6, LVT_DIP6, LVT_RSK_IP6 and LVT_RS_IPS6; with --directors 2 also
#       LVT_DIP2_6 (dir2's fd77::3).
#   lab/lab.sh up ID --ecmp [--rs N] [--state DIR]
#       Scale-out lab (see ecmp_* below): a router lvt-ID-rtr running BIRD with ECMP and an L4
#       multipath hash, three directors (dir, dir2, dir3 at 10.77.0.2-4) each with a BIRD
#       configuration to run under lvsnetd, the client behind the router, VIPs outside every subnet.
#   lab/lab.sh down ID [--state DIR]
#       Stop the lab's processes (nginx by pid file, then every process left in the lab's own
#       namespaces), delete all lvt-ID-* namespaces, remove the state dir. Idempotent; exit 0.
#   lab/lab.sh exec ID ROLE -- CMD...
#       Run CMD in namespace lvt-ID-ROLE (ROLE = client | dir | dir2 | rs1..rsN | sw); exit code of CMD.
#   lab/lab.sh list
#       Print the existing lvt-* namespaces, one per line (to find leftovers).
#
# State dir: --state DIR, else $LVT_STATE_DIR, else /tmp/lvt-ID. It holds the marker file
# .lvt-lab (the lab ID; `down` only deletes a state dir carrying the marker of its ID), lab.env,
# and one directory per real server (rsK/: nginx.conf, nginx.pid, error.log, tmp/).
#
# Topology (one L2 segment, 10.77.0.0/24, everything on-link):
#
#   lvt-ID-client eth0 10.77.0.10 ─┐
#   lvt-ID-dir    eth0 10.77.0.2  ─┤  lvt-ID-sw: bridge br0 (STP off, multicast snooping off),
#   lvt-ID-dir2   eth0 10.77.0.3  ─┤  (only with --directors 2)
#   lvt-ID-rs1    eth0 10.77.0.11 ─┤  ports lvt-client, lvt-dir, lvt-rs1, ..., lvt-rsN
#   lvt-ID-rsK    eth0 10.77.0.(10+K)
#
#   VIP 10.77.0.100 (LVT_VIP), second VIP 10.77.0.101 (LVT_VIP2) reserved for tests.
#   Nothing is created in the root namespace. MACs are fixed and locally administered:
#   02:77:00:00:00:XX with XX = last octet of the host's address in hex (client :0a, dir :02,
#   rs1 :0b, ...); the switch-side ports have kernel-chosen MACs.
#
#   Every namespace: lo up, IPv6 disabled (no ND/MLD noise), no static neighbour entries.
#   Every veth end (both sides): tx/tso/gso/gro/rx offloads off (lro is fixed off on veth).
#   client: default route via the DIP (for NAT), ip_local_port_range 10000-65000.
#   dir:    only the DIP on eth0, ip_forward=0; nothing else (the daemon prepares the rest).
#   rsK:    nginx on 0.0.0.0:80 and 0.0.0.0:8080 answering 200 "rsK\n", /health -> 200 "ok";
#           rp_filter 0 (all, default, lo, eth0) in every mode;
#           dr, tun: VIP and VIP2 as /32 on lo, arp_ignore=1 and arp_announce=2 on all and eth0;
#           nat:     no VIP, default route via the DIP and a host route to the client via the DIP
#                    (else the connected /24 would send replies straight to the client);
#           fullnat: nothing more (replies go to the director's local address on the segment).
#           /peer answers "rsK <client address as nginx saw it>".
#
# lab.env: one KEY=value per line (plus a leading # comment); values never contain quotes or
# spaces, lists are comma-separated (shell: ${LVT_RS_IPS//,/ }). `source` it, or split each
# line at the first '='. Variables:
#   LVT_ID LVT_MODE LVT_STATE_DIR LVT_RS_COUNT LVT_NS_PREFIX (lvt-ID-)
#   LVT_SUBNET (10.77.0.0/24) LVT_PREFIXLEN LVT_VIP LVT_VIP2 LVT_PORTS (80,8080)
#   LVT_IF (eth0, in every host namespace) LVT_BRIDGE (br0, in LVT_NS_SW)
#   LVT_NS_SW LVT_NS_CLIENT LVT_NS_DIR
#   LVT_CLIENT_IP LVT_CLIENT_MAC LVT_SW_IF_CLIENT
#   LVT_DIP LVT_DIR_IP (same value) LVT_DIR_MAC LVT_SW_IF_DIR
#   with --directors 2: LVT_NS_DIR2 LVT_DIP2 LVT_DIR2_MAC LVT_SW_IF_DIR2
#   per real server K=1..N: LVT_NS_RSK LVT_RSK_IP LVT_RSK_MAC LVT_SW_IF_RSK LVT_RSK_PIDFILE
#   lists: LVT_RS_NAMES LVT_RS_NS LVT_RS_IPS LVT_RS_MACS
#   (MACs are lower-case, as tcpdump -e prints them; LVT_SW_IF_* are the bridge ports in
#   LVT_NS_SW, where per-host frame counts can be read)
#
# Requires: iproute2 (ip), ethtool, nginx, curl; coreutils/grep/awk/sed.
# Never touches addresses outside the lab, never kills processes it cannot tie to the lab.

set -Eeuo pipefail
export PATH="${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin:/usr/bin:/bin"
export LC_ALL=C

LVT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NGINX_TEMPLATE="$LVT_DIR/nginx-rs.conf.in"

NET=10.77.0
PREFIXLEN=24
DIP="$NET.2"
DIP2="$NET.3"
CLIENT_IP="$NET.10"
VIP="$NET.100"
VIP2="$NET.101"
RS_MAX=80
NETNS_DIR=/var/run/netns
MARKER=.lvt-lab
NET6=fd77:
VIP6="${NET6}:100"
VIP6_2="${NET6}:101"
UP_IPV6=no

log() { printf 'lab.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: lab.sh up ID [--rs N] [--mode dr|nat|tun|fullnat] [--directors 1|2] [--keepalive-timeout S] [--state DIR]
       lab.sh down ID [--state DIR]
       lab.sh exec ID ROLE -- CMD...
       lab.sh list
EOF
    exit 2
}

# ---------------------------------------------------------------------------------------------
# helpers

check_id() {
    [[ "$1" =~ ^[A-Za-z0-9]{1,10}$ ]] || die "lab ID '$1' must be 1-10 characters of [A-Za-z0-9]"
}

# resolve_state ID [DIR]: print the absolute state dir
resolve_state() {
    local id="$1" dir="${2:-}"
    [[ -n "$dir" ]] || dir="${LVT_STATE_DIR:-/tmp/lvt-$id}"
    [[ "$dir" == /* ]] || dir="$PWD/$dir"
    dir="${dir%/}"
    [[ "$dir" =~ ^/[A-Za-z0-9._/+-]+$ ]] \
        || die "state dir '$dir' may only contain [A-Za-z0-9._/+-]"
    [[ "$dir" != / && ! "$dir" =~ (^|/)\.\.?(/|$) ]] || die "state dir '$dir' is not acceptable"
    printf '%s\n' "$dir"
}

# lab_namespaces ID: existing namespaces of lab ID
lab_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' \
        | grep -E "^lvt-$1-(sw|client|dir|dir2|dir3|rtr|rs[0-9]+)\$" || true
}

# pid_in_ns PID NS: true when process PID lives in network namespace NS
pid_in_ns() {
    local a b
    a=$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null) || return 1
    b=$(stat -L -c %i "$NETNS_DIR/$2" 2>/dev/null) || return 1
    [[ "$a" == "$b" ]]
}

# pid_alive PID: true while PID runs; a zombie counts as gone (it has left its namespaces, and
# PID 1 of a container may be slow to reap the orphaned nginx master)
pid_alive() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    st=${st##*) }
    [[ -n "$st" && "${st:0:1}" != Z && "${st:0:1}" != X ]]
}

# nsx NS CMD...: run CMD in namespace NS
nsx() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# ns_sysctl NS key=value...: write sysctls inside NS (no dependency on procps)
ns_sysctl() {
    local ns="$1"; shift
    ip netns exec "$ns" bash -c '
        set -e
        for kv; do
            k=${kv%%=*}; v=${kv#*=}
            printf "%s\n" "$v" > "/proc/sys/${k//.//}"
        done' lab-sysctl "$@"
}

# ns_disable_ipv6 NS: disable IPv6 on all (current and future) interfaces of NS
ns_disable_ipv6() {
    if ip netns exec "$1" test -d /proc/sys/net/ipv6/conf; then
        ns_sysctl "$1" net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
    fi
}

# offloads_off NS IF: turn checksum/segmentation/receive offloads off, tolerating features
# that cannot change, then insist that tx checksum, TSO, GSO and GRO are really off.
offloads_off() {
    local ns="$1" ifc="$2" f state
    if ! nsx "$ns" ethtool -K "$ifc" tx off tso off gso off gro off rx off >/dev/null 2>&1; then
        for f in tx tso gso gro rx lro; do
            nsx "$ns" ethtool -K "$ifc" "$f" off >/dev/null 2>&1 || true
        done
    fi
    state=$(nsx "$ns" ethtool -k "$ifc")
    for f in tx-checksumming tcp-segmentation-offload generic-segmentation-offload \
             generic-receive-offload; do
        grep -qE "^$f: off" <<<"$state" \
            || die "could not turn $f off on $ifc in $ns: $(grep -E "^$f:" <<<"$state")"
    done
}

mac_for() { printf '02:77:00:00:00:%02x' "$1"; }

# ---------------------------------------------------------------------------------------------
# teardown (shared by `down` and by a failed `up`)

# kill_pids PID...: TERM, wait up to 3 s, then KILL and wait up to 2 s
kill_pids() {
    local pids=("$@") p i left
    ((${#pids[@]})) || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        left=()
        for p in "${pids[@]}"; do pid_alive "$p" && left+=("$p"); done
        ((${#left[@]})) || return 0
        sleep 0.1
    done
    log "killing (KILL) ${left[*]}"
    kill -KILL "${left[@]}" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        left=()
        for p in "${pids[@]}"; do pid_alive "$p" && left+=("$p"); done
        ((${#left[@]})) || return 0
        sleep 0.1
    done
    log "warning: processes still alive: ${left[*]}"
}

# teardown ID STATE_DIR REMOVE_STATE NS...: stop the lab's processes and delete the namespaces
teardown() {
    local id="$1" state="$2" remove_state="$3"; shift 3
    local namespaces=("$@") pids=() pf pid ns conf cmd
    # 1. nginx masters from the pid files of this lab's own state dir (the marker holds the ID),
    #    if the pid still belongs to this lab
    if [[ -n "$state" && -f "$state/$MARKER" && "$(cat "$state/$MARKER" 2>/dev/null)" == "$id" ]]
    then
        for pf in "$state"/rs*/nginx.pid; do
            [[ -f "$pf" ]] || continue
            pid=$(tr -dc '0-9' <"$pf" 2>/dev/null || true)
            [[ -n "$pid" ]] && pid_alive "$pid" || continue
            conf="$(dirname "$pf")/nginx.conf"
            ns="lvt-$id-$(basename "$(dirname "$pf")")"
            cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
            if pid_in_ns "$pid" "$ns" || [[ "$cmd " == "nginx: master process "*" -c $conf "* ]]
            then
                pids+=("$pid")
            fi
        done
        if ((${#pids[@]})); then
            log "stopping nginx ${pids[*]}"
            kill_pids "${pids[@]}"
        fi
    fi
    # 2. whatever is still running inside the lab's namespaces (workers, daemons, tests' tools)
    pids=()
    for ns in "${namespaces[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
            [[ "$pid" != "$$" ]] && pid_in_ns "$pid" "$ns" && pids+=("$pid")
        done
    done
    if ((${#pids[@]})); then
        log "stopping processes in lab namespaces: ${pids[*]}"
        kill_pids "${pids[@]}"
    fi
    # 3. namespaces (their veths and the bridge go with them)
    for ns in "${namespaces[@]}"; do
        ip netns del "$ns" 2>/dev/null || log "warning: could not delete namespace $ns"
    done
    # 4. state dir, only when it is this lab's
    if [[ "$remove_state" == yes && -n "$state" && -d "$state" ]]; then
        if [[ -f "$state/$MARKER" && "$(cat "$state/$MARKER" 2>/dev/null)" == "$id" ]]; then
            rm -rf -- "$state"
        elif [[ -z "$(ls -A "$state" 2>/dev/null)" ]]; then
            rmdir -- "$state" 2>/dev/null || true
        else
            log "warning: leaving $state: it is not the state dir of lab $id"
        fi
    fi
}

# ---------------------------------------------------------------------------------------------
# ecmp: the scale-out lab (up --ecmp). Topology:
#
#   lvt-ID-client eth0 10.78.0.10 ── eth1 10.78.0.1 lvt-ID-rtr eth0 10.77.0.1 ── br0 (lvt-ID-sw)
#   lvt-ID-dir/dir2/dir3 eth0 10.77.0.2/.3/.4 ── br0;  lvt-ID-rsK eth0 10.77.0.(10+K) ── br0
#
#   VIPs 10.79.0.100 and .101 belong to no subnet: the router reaches them only through the /32
#   routes the directors announce over BGP (router AS 65000, directors AS 65001, BFD 100 ms x 3),
#   and installs them as one multipath route (BIRD kernel protocol, merge paths) hashed on L4
#   (fib_multipath_hash_policy=1). rtr: ip_forward=1, rp_filter 0, BIRD running (pid file
#   STATE/rtr/bird.pid, control socket STATE/rtr/bird.ctl). Real servers: the VIPs on lo, a route
#   to 10.78.0.0/24 via the router. Directors: ip_forward=0; STATE/dirK/bird.conf is the BIRD
#   configuration lvsnetd runs (announce.bird_config), including STATE/dirK/vips.conf
#   (announce.routes_file), control socket STATE/dirK/bird.ctl. No BIRD runs on a director until
#   lvsnetd starts it.

ECMP_CLIENT_NET=10.78.0
ECMP_RTR_IP=10.77.0.1

ecmp_prepare() {
    [[ "$1" == dr ]] || die "--ecmp needs --mode dr"
    [[ "$2" == 1 ]] || die "--ecmp brings its own three directors (no --directors)"
    command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1 \
        || die "--ecmp needs BIRD 2 (apt-get install bird2)"
    VIP=10.79.0.100
    VIP2=10.79.0.101
    CLIENT_IP="$ECMP_CLIENT_NET.10"
}

ecmp_add_client_and_router() {
    local rtr="lvt-$UP_ID-rtr" cl="lvt-$UP_ID-client" sw="lvt-$UP_ID-sw"
    ns_add "$rtr"
    ns_add "$cl"
    ip -n "$sw" link add lvt-rtr type veth peer name eth0 netns "$rtr"
    ip -n "$rtr" link set eth0 address "$(mac_for 1)"
    offloads_off "$sw" lvt-rtr
    offloads_off "$rtr" eth0
    ip -n "$sw" link set lvt-rtr master br0
    ip -n "$sw" link set lvt-rtr up
    ip -n "$rtr" addr add "$ECMP_RTR_IP/$PREFIXLEN" dev eth0
    ip -n "$rtr" link set eth0 up
    ip -n "$rtr" link add eth1 type veth peer name eth0 netns "$cl"
    ip -n "$cl" link set eth0 address "$(mac_for 10)"
    offloads_off "$rtr" eth1
    offloads_off "$cl" eth0
    ip -n "$rtr" addr add "$ECMP_CLIENT_NET.1/24" dev eth1
    ip -n "$rtr" link set eth1 up
    ip -n "$cl" addr add "$CLIENT_IP/24" dev eth0
    ip -n "$cl" link set eth0 up
    ip -n "$cl" route add default via "$ECMP_CLIENT_NET.1" dev eth0
    ns_sysctl "$rtr" net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
        net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
}

ecmp_route_to_clients() {
    ip -n "$1" route add "$ECMP_CLIENT_NET.0/24" via "$ECMP_RTR_IP" dev eth0
}

# ecmp_director_bird_conf K IP: the BIRD configuration lvsnetd runs on director K
ecmp_director_bird_conf() {
    local k="$1" ipaddr="$2" dir="$UP_STATE/dir$1"
    mkdir -p "$dir"
    cat >"$dir/bird.conf" <<EOF
# Director $k: announces what lvsnetd writes to vips.conf to the router over eBGP with BFD.
router id $ipaddr;
log stderr { info, remote, warning, error, auth, fatal, bug };
protocol device {}
protocol bfd {
  interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
protocol static lvsnet_vips {
  ipv4;
include "$dir/vips.conf";
}
protocol bgp router1 {
  local $ipaddr as 65001;
  neighbor $ECMP_RTR_IP as 65000;
  hold time 3;
  connect retry time 1;
  bfd on;
  ipv4 { import none; export where proto = "lvsnet_vips"; };
}
EOF
}

ecmp_add_directors_and_bird() {
    local rtr="lvt-$UP_ID-rtr" k ipaddr role dir="$UP_STATE/rtr" i
    add_host dir2 "$NET.3"
    add_host dir3 "$NET.4"
    for k in 1 2 3; do
        role=dir; ((k > 1)) && role="dir$k"
        ipaddr="$NET.$((1 + k))"
        ns_sysctl "lvt-$UP_ID-$role" net.ipv4.ip_forward=0
        ecmp_director_bird_conf "$k" "$ipaddr"
    done
    mkdir -p "$dir"
    cat >"$dir/bird.conf" <<EOF
# The router: learns the VIPs from the three directors, installs them as one ECMP route.
router id $ECMP_RTR_IP;
log "$dir/bird.log" all;
protocol device {}
protocol bfd {
  interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
protocol kernel {
  ipv4 { import none; export all; };
  merge paths on;
}
template bgp directors {
  local $ECMP_RTR_IP as 65000;
  hold time 3;
  connect retry time 1;
  bfd on;
  ipv4 { import all; export none; };
}
protocol bgp dir1 from directors { neighbor $NET.2 as 65001; }
protocol bgp dir2 from directors { neighbor $NET.3 as 65001; }
protocol bgp dir3 from directors { neighbor $NET.4 as 65001; }
EOF
    nsx "$rtr" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" </dev/null \
        || die "the router's BIRD did not start"
    for ((i = 0; i < 50; i++)); do
        [[ -S "$dir/bird.ctl" ]] && birdc -s "$dir/bird.ctl" show status >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "the router's BIRD does not answer on $dir/bird.ctl"
}

ecmp_env() {
    local k
    echo "LVT_ECMP=yes"
    echo "LVT_NS_RTR=lvt-$UP_ID-rtr"
    echo "LVT_RTR_IP=$ECMP_RTR_IP"
    echo "LVT_RTR_BIRD_SOCKET=$UP_STATE/rtr/bird.ctl"
    echo "LVT_CLIENT_SUBNET=$ECMP_CLIENT_NET.0/24"
    echo "LVT_NS_DIR2=lvt-$UP_ID-dir2"
    echo "LVT_NS_DIR3=lvt-$UP_ID-dir3"
    echo "LVT_DIP2=$NET.3"
    echo "LVT_DIP3=$NET.4"
    for k in 1 2 3; do
        echo "LVT_DIR${k}_BIRD_CONF=$UP_STATE/dir$k/bird.conf"
        echo "LVT_DIR${k}_ROUTES=$UP_STATE/dir$k/vips.conf"
        echo "LVT_DIR${k}_BIRD_SOCKET=$UP_STATE/dir$k/bird.ctl"
    done
}

# ---------------------------------------------------------------------------------------------
# up

UP_ID=""
UP_STATE=""
UP_KEEPALIVE=10  # nginx keepalive_timeout in seconds (--keepalive-timeout)
UP_STATE_CLAIMED=no
UP_DONE=no
UP_CREATED_NS=()
UP_FAILED_CMD=""

up_on_err() {
    [[ -n "$UP_FAILED_CMD" ]] || UP_FAILED_CMD="line $1: $2"
}

up_on_exit() {
    local rc=$?
    [[ "$UP_DONE" == yes ]] && return 0
    trap - ERR
    set +e
    if [[ -n "$UP_FAILED_CMD" ]]; then
        log "up $UP_ID failed (exit $rc) at $UP_FAILED_CMD"
    else
        log "up $UP_ID failed (exit $rc)"
    fi
    log "removing what was created"
    local state=""
    [[ "$UP_STATE_CLAIMED" == yes ]] && state="$UP_STATE"
    teardown "$UP_ID" "$state" "$UP_STATE_CLAIMED" "${UP_CREATED_NS[@]}"
    exit 1
}

ns_add() {
    ip netns add "$1"
    UP_CREATED_NS+=("$1")
    ip -n "$1" link set lo up
    if [[ "$UP_IPV6" == yes && "$1" != *-sw ]]; then
        # IPv6 on, but quiet and immediate: no router advertisements, no duplicate address
        # detection (the lab's addresses are unique by construction), no router solicitations.
        ns_sysctl "$1" net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
            net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
            net.ipv6.conf.default.dad_transmits=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.all.forwarding=0
    else
        ns_disable_ipv6 "$1"
    fi
}

# add_host ROLE IP: namespace lvt-ID-ROLE with eth0 (address IP) plugged into br0
add_host() {
    local role="$1" ipaddr="$2" ns="lvt-$UP_ID-$1" sw="lvt-$UP_ID-sw" swif="lvt-$1"
    ns_add "$ns"
    ip -n "$sw" link add "$swif" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "$(mac_for "${ipaddr##*.}")"
    offloads_off "$sw" "$swif"
    offloads_off "$ns" eth0
    ip -n "$sw" link set "$swif" master br0
    ip -n "$sw" link set "$swif" up
    ip -n "$ns" addr add "$ipaddr/$PREFIXLEN" dev eth0
    if [[ "$UP_IPV6" == yes ]]; then
        ip -n "$ns" -6 addr add "$NET6:$(printf '%x' "${ipaddr##*.}")/64" dev eth0 nodad
    fi
    ip -n "$ns" link set eth0 up
}

start_nginx() {
    local k="$1" ns="lvt-$UP_ID-rs$1" dir="$UP_STATE/rs$1" tmpl conf
    mkdir -p "$dir/tmp"
    tmpl=$(<"$NGINX_TEMPLATE")
    conf=${tmpl//@RS_DIR@/"$dir"}
    conf=${conf//@RS_NAME@/"rs$k"}
    conf=${conf//@KEEPALIVE_TIMEOUT@/"${UP_KEEPALIVE}s"}
    if [[ "$UP_IPV6" == yes ]]; then
        conf=${conf//@LISTEN6@/"listen [::]:80 default_server ipv6only=on backlog=4096; listen [::]:8080 default_server ipv6only=on backlog=4096;"}
    else
        conf=${conf//@LISTEN6@/}
    fi
    printf '%s\n' "$conf" >"$dir/nginx.conf"
    nsx "$ns" nginx -t -q -e "$dir/error.log" -p "$dir/" -c "$dir/nginx.conf" \
        </dev/null >>"$dir/nginx.out" 2>&1 \
        || die "nginx -t failed for rs$k: $(tail -n 5 "$dir/nginx.out")"
    # daemon on: the master forks, detaches (setsid) and writes its pid file
    nsx "$ns" nginx -e "$dir/error.log" -p "$dir/" -c "$dir/nginx.conf" \
        </dev/null >>"$dir/nginx.out" 2>&1 \
        || die "nginx failed to start for rs$k: $(tail -n 5 "$dir/nginx.out" "$dir/error.log")"
}

# wait_nginx K: pid file present, process in the rs namespace, answers on 80, 8080 and /health
wait_nginx() {
    local k="$1" ns="lvt-$UP_ID-rs$1" dir="$UP_STATE/rs$1" i pid a b h
    for ((i = 0; i < 50; i++)); do
        pid=$(tr -dc '0-9' <"$dir/nginx.pid" 2>/dev/null || true)
        if [[ -n "$pid" ]] && pid_in_ns "$pid" "$ns"; then
            a=$(nsx "$ns" curl -sS --max-time 1 http://127.0.0.1:80/ 2>/dev/null || true)
            b=$(nsx "$ns" curl -sS --max-time 1 http://127.0.0.1:8080/x 2>/dev/null || true)
            h=$(nsx "$ns" curl -sS --max-time 1 http://127.0.0.1:80/health 2>/dev/null || true)
            if [[ "$a" == "rs$k" && "$b" == "rs$k" && "$h" == ok ]]; then
                return 0
            fi
        fi
        sleep 0.1
    done
    die "nginx of rs$k does not answer on 127.0.0.1 (pid '${pid:-}'): $(tail -n 5 "$dir/error.log" 2>/dev/null)"
}

cmd_up() {
    local id="" nrs=2 mode=dr state_arg="" k t0 directors=1 ecmp=no
    t0=$(date +%s.%N)
    [[ $# -ge 1 ]] || usage
    id="$1"; shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --rs) [[ $# -ge 2 ]] || usage; nrs="$2"; shift 2 ;;
            --rs=*) nrs="${1#*=}"; shift ;;
            --mode) [[ $# -ge 2 ]] || usage; mode="$2"; shift 2 ;;
            --mode=*) mode="${1#*=}"; shift ;;
            --directors) [[ $# -ge 2 ]] || usage; directors="$2"; shift 2 ;;
            --directors=*) directors="${1#*=}"; shift ;;
            --state) [[ $# -ge 2 ]] || usage; state_arg="$2"; shift 2 ;;
            --state=*) state_arg="${1#*=}"; shift ;;
            --ecmp) ecmp=yes; shift ;;
            --keepalive-timeout) [[ $# -ge 2 ]] || usage; UP_KEEPALIVE="$2"; shift 2 ;;
            --ipv6) UP_IPV6=yes; shift ;;
            *) log "unknown argument '$1'"; usage ;;
        esac
    done
    check_id "$id"
    if [[ "$ecmp" == yes ]]; then ecmp_prepare "$mode" "$directors"; fi
    [[ "$nrs" =~ ^[0-9]+$ ]] && ((nrs >= 1 && nrs <= RS_MAX)) \
        || die "--rs must be a number from 1 to $RS_MAX"
    # nat64 is the IPv6 fullnat lab: the real servers answer the director's IPv4 local address on
    # the segment, as for IPv4 fullnat, and the client reaches the IPv6 VIP.
    if [[ "$mode" == nat64 ]]; then mode=fullnat; UP_IPV6=yes; fi
    case "$mode" in dr | nat | tun | fullnat) ;; *) die "--mode must be dr, nat, tun or fullnat" ;; esac
    [[ "$UP_KEEPALIVE" =~ ^[0-9]{1,4}$ ]] || die "--keepalive-timeout must be whole seconds (0..9999)"
    [[ "$directors" == 1 || "$directors" == 2 ]] || die "--directors must be 1 or 2"
    [[ "$UP_IPV6" == no || ( "$mode" =~ ^(dr|nat|tun|fullnat)$ && "$ecmp" == no ) ]] || die "--ipv6 is built for --mode dr, nat, tun and fullnat only"
    [[ $EUID -eq 0 ]] || die "must run as root"
    local tool
    for tool in ip ethtool nginx curl awk grep sed stat; do
        command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found in PATH"
    done
    [[ -r "$NGINX_TEMPLATE" ]] || die "nginx template $NGINX_TEMPLATE not found"
    local state; state=$(resolve_state "$id" "$state_arg")

    local existing; existing=$(lab_namespaces "$id")
    [[ -z "$existing" ]] || die "lab $id already exists ($(echo $existing)); run: $0 down $id"

    # From here on, a failure removes what this invocation created (and only that).
    UP_ID="$id"; UP_STATE="$state"
    trap 'up_on_err $LINENO "$BASH_COMMAND"' ERR
    trap up_on_exit EXIT
    trap 'UP_FAILED_CMD="signal"; exit 130' INT TERM HUP

    mkdir -p -- "$(dirname "$state")"
    if ! mkdir -- "$state" 2>/dev/null; then
        [[ -d "$state" && -z "$(ls -A "$state")" ]] \
            || die "state dir $state exists and is not empty (lab $id up already? run: $0 down $id)"
    fi
    UP_STATE_CLAIMED=yes
    printf '%s\n' "$id" >"$state/$MARKER"

    log "creating lab $id (mode $mode, $nrs real servers, state $state)"
    local sw="lvt-$id-sw"
    ns_add "$sw"
    ip -n "$sw" link add br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$sw" link set br0 up
    # bridged frames must not meet netfilter inside the switch (only if br_netfilter is loaded): its
    # IPv4/IPv6 header validation would drop malformed frames before the director sees them
    if nsx "$sw" test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
        ns_sysctl "$sw" net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 \
            net.bridge.bridge-nf-call-arptables=0 || true
    fi

    if [[ "$ecmp" == yes ]]; then
        ecmp_add_client_and_router
    else
        add_host client "$CLIENT_IP"
        ip -n "lvt-$id-client" route add default via "$DIP" dev eth0
    fi
    ns_sysctl "lvt-$id-client" "net.ipv4.ip_local_port_range=10000 65000"

    add_host dir "$DIP"
    ns_sysctl "lvt-$id-dir" net.ipv4.ip_forward=0
    if [[ "$directors" == 2 ]]; then
        add_host dir2 "$DIP2"
        ns_sysctl "lvt-$id-dir2" net.ipv4.ip_forward=0
    fi

    for ((k = 1; k <= nrs; k++)); do
        local ns="lvt-$id-rs$k"
        add_host "rs$k" "$NET.$((10 + k))"
        if [[ "$ecmp" == yes ]]; then ecmp_route_to_clients "lvt-$id-rs$k"; fi
        ns_sysctl "$ns" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
            net.ipv4.conf.lo.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
        case "$mode" in
            dr | tun)
                ns_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1 \
                    net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2
                ip -n "$ns" addr add "$VIP/32" dev lo
                ip -n "$ns" addr add "$VIP2/32" dev lo
                if [[ "$UP_IPV6" == yes ]]; then
                    ip -n "$ns" -6 addr add "$VIP6/128" dev lo
                    ip -n "$ns" -6 addr add "$VIP6_2/128" dev lo
                fi
                ;;
            nat)
                # The client shares the segment, so the connected route would send replies
                # straight to it, bypassing the director; a host route sends them through the
                # director, as a real NAT deployment's routing does.
                ip -n "$ns" route add default via "$DIP" dev eth0
                ip -n "$ns" route add "$CLIENT_IP/32" via "$DIP" dev eth0
                if [[ "$UP_IPV6" == yes ]]; then
                    # The same for IPv6: the client shares the fd77::/64 link.
                    ip -n "$ns" -6 route add default via "$NET6:2" dev eth0
                    ip -n "$ns" -6 route add "$NET6:$(printf '%x' 10)/128" via "$NET6:2" dev eth0
                fi
                ;;
            fullnat)
                # Nothing: the real server answers the director's local address on the segment.
                ;;
        esac
        start_nginx "$k"
    done
    for ((k = 1; k <= nrs; k++)); do wait_nginx "$k"; done
    if [[ "$ecmp" == yes ]]; then ecmp_add_directors_and_bird; fi

    # lab.env: KEY=value lines, no quotes and no spaces in any value (lists are comma-separated),
    # so that both `source lab.env` and a plain split at the first '=' read it.
    local env="$state/lab.env" names="" nss="" ips="" macs="" mac
    getmac() { ip -n "$1" -o link show dev eth0 | sed -E 's/.* link\/ether ([0-9a-f:]{17}) .*/\1/'; }
    {
        echo "# LvsNet namespace lab $id, created by lab/lab.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "LVT_ID=$id"
        echo "LVT_MODE=$mode"
        echo "LVT_STATE_DIR=$state"
        echo "LVT_RS_COUNT=$nrs"
        echo "LVT_NS_PREFIX=lvt-$id-"
        echo "LVT_SUBNET=$NET.0/$PREFIXLEN"
        echo "LVT_PREFIXLEN=$PREFIXLEN"
        echo "LVT_VIP=$VIP"
        echo "LVT_VIP2=$VIP2"
        echo "LVT_PORTS=80,8080"
        echo "LVT_IF=eth0"
        echo "LVT_BRIDGE=br0"
        echo "LVT_NS_SW=$sw"
        echo "LVT_NS_CLIENT=lvt-$id-client"
        echo "LVT_CLIENT_IP=$CLIENT_IP"
        echo "LVT_CLIENT_MAC=$(getmac "lvt-$id-client")"
        echo "LVT_SW_IF_CLIENT=lvt-client"
        echo "LVT_NS_DIR=lvt-$id-dir"
        echo "LVT_DIP=$DIP"
        echo "LVT_DIR_IP=$DIP"
        echo "LVT_DIR_MAC=$(getmac "lvt-$id-dir")"
        echo "LVT_SW_IF_DIR=lvt-dir"
        if [[ "$directors" == 2 ]]; then
            echo "LVT_NS_DIR2=lvt-$id-dir2"
            echo "LVT_DIP2=$DIP2"
            echo "LVT_DIR2_MAC=$(getmac "lvt-$id-dir2")"
            echo "LVT_SW_IF_DIR2=lvt-dir2"
        fi
        for ((k = 1; k <= nrs; k++)); do
            mac=$(getmac "lvt-$id-rs$k")
            echo "LVT_NS_RS$k=lvt-$id-rs$k"
            echo "LVT_RS${k}_IP=$NET.$((10 + k))"
            echo "LVT_RS${k}_MAC=$mac"
            echo "LVT_SW_IF_RS$k=lvt-rs$k"
            echo "LVT_RS${k}_PIDFILE=$state/rs$k/nginx.pid"
            names+="${names:+,}rs$k"; nss+="${nss:+,}lvt-$id-rs$k"
            ips+="${ips:+,}$NET.$((10 + k))"; macs+="${macs:+,}$mac"
        done
        echo "LVT_RS_NAMES=$names"
        echo "LVT_RS_NS=$nss"
        echo "LVT_RS_IPS=$ips"
        echo "LVT_RS_MACS=$macs"
        if [[ "$UP_IPV6" == yes ]]; then
            local ips6=""
            echo "LVT_VIP6=$VIP6"
            echo "LVT_VIP6_2=$VIP6_2"
            echo "LVT_CLIENT_IP6=$NET6:$(printf '%x' 10)"
            echo "LVT_DIP6=$NET6:2"
            if [[ "$directors" == 2 ]]; then echo "LVT_DIP2_6=$NET6:3"; fi
            for ((k = 1; k <= nrs; k++)); do
                echo "LVT_RS${k}_IP6=$NET6:$(printf '%x' $((10 + k)))"
                ips6+="${ips6:+,}$NET6:$(printf '%x' $((10 + k)))"
            done
            echo "LVT_RS_IPS6=$ips6"
        fi
        if [[ "$ecmp" == yes ]]; then ecmp_env; fi
    } >"$env.tmp"
    mv -f "$env.tmp" "$env"

    UP_DONE=yes
    trap - ERR EXIT INT TERM HUP
    log "lab $id is up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
    cat "$env"
}

# ---------------------------------------------------------------------------------------------
# down, exec, list

cmd_down() {
    local id="" state_arg="" t0
    t0=$(date +%s.%N)
    [[ $# -ge 1 ]] || usage
    id="$1"; shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --state) [[ $# -ge 2 ]] || usage; state_arg="$2"; shift 2 ;;
            --state=*) state_arg="${1#*=}"; shift ;;
            *) log "unknown argument '$1'"; usage ;;
        esac
    done
    check_id "$id"
    [[ $EUID -eq 0 ]] || die "must run as root"
    local state; state=$(resolve_state "$id" "$state_arg")
    set +e
    local namespaces; mapfile -t namespaces < <(lab_namespaces "$id")
    teardown "$id" "$state" yes "${namespaces[@]}"
    log "lab $id is down in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
    exit 0
}

cmd_exec() {
    [[ $# -ge 2 ]] || usage
    local id="$1" role="$2"; shift 2
    check_id "$id"
    [[ "$role" =~ ^(sw|client|dir|dir2|dir3|rtr|rs[0-9]+)$ ]] || die "ROLE must be client, dir, dir2, dir3, rtr, rsK or sw"
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -ge 1 ]] || usage
    local ns="lvt-$id-$role"
    [[ -e "$NETNS_DIR/$ns" ]] || die "namespace $ns does not exist"
    exec ip netns exec "$ns" "$@"
}

cmd_list() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^lvt-' || true
}

[[ $# -ge 1 ]] || usage
cmd="$1"; shift
case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    exec) cmd_exec "$@" ;;
    list) cmd_list ;;
    -h | --help | help) usage ;;
    *) log "unknown command '$cmd'"; usage ;;
esac

#!/bin/sh
# keepalived track_script for lvsnetd: exit 0 while the daemon answers a status request on its
# command socket, 1 otherwise (daemon gone, hung, or its socket missing).
#   vrrp_script chk_lvsnetd { script "/etc/lvsnet/check-lvsnetd.sh [SOCKET]" interval 2 timeout 3 fall 2 rise 1 }
# With weight 0 (the default) a failing check puts the VRRP instance in FAULT, so the other
# director takes over.
# The check runs every few seconds on both directors, so it should be cheap: with python3 it
# speaks the command socket's JSON-lines protocol directly (about 30 ms); without, it runs
# lvsnetadm status (a .NET start, 0.2-0.8 s of CPU, which under heavy load can approach the
# script timeout). LVSNETADM may name the lvsnetadm command (default: lvsnetadm on PATH).
socket="${1:-/run/lvsnet/lvsnetd.sock}"
if command -v python3 >/dev/null 2>&1; then
    exec python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2.0)
try:
    s.connect(sys.argv[1])
    s.sendall(b"{\"version\":1,\"command\":\"status\"}\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    sys.exit(0 if json.loads(data).get("ok") is True else 1)
except (OSError, ValueError):
    sys.exit(1)
' "$socket"
fi
exec ${LVSNETADM:-lvsnetadm} --socket "$socket" status >/dev/null 2>&1

#!/bin/sh
# keepalived notify script for lvsnetd: tells the daemon the VRRP instance's new state.
#   notify "/etc/lvsnet/lvsnet-notify.sh [SOCKET]"
# keepalived appends: INSTANCE|GROUP, the instance name, MASTER|BACKUP|FAULT|STOP, the priority.
# STOP (keepalived shutting down) is left alone: the next keepalived start reports a state again.
# The time this script takes is part of every takeover, so with python3 it sends the role request
# over the command socket's JSON-lines protocol itself (about 30 ms); without, it runs
# lvsnetadm role (a .NET start, 0.2-0.8 s). LVSNETADM may name the lvsnetadm command.
socket=""
if [ $# -gt 4 ]; then
    socket="$1"
    shift
fi
state="$3"
case "$state" in
    MASTER|BACKUP|FAULT) ;;
    *) exit 0 ;;
esac
if command -v python3 >/dev/null 2>&1; then
    exec python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5.0)
try:
    s.connect(sys.argv[1])
    s.sendall(json.dumps({"version": 1, "command": "role", "role": sys.argv[2]}).encode() + b"\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    reply = json.loads(data)
    if reply.get("ok") is not True:
        print("lvsnetd refused role %s: %s" % (sys.argv[2], reply.get("error")), file=sys.stderr)
        sys.exit(1)
except (OSError, ValueError) as e:
    print("cannot tell lvsnetd at %s the role %s: %s" % (sys.argv[1], sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
' "${socket:-/run/lvsnet/lvsnetd.sock}" "$state"
fi
if [ -n "$socket" ]; then
    exec ${LVSNETADM:-lvsnetadm} --socket "$socket" role "$state"
fi
exec ${LVSNETADM:-lvsnetadm} role "$state"

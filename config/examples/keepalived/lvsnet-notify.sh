#!/bin/sh
# keepalived notify script for lvsnetd: tells the daemon the VRRP instance's new state.
#   notify "/etc/lvsnet/lvsnet-notify.sh [SOCKET]"
# keepalived appends: INSTANCE|GROUP, the instance name, MASTER|BACKUP|FAULT|STOP, the priority.
# STOP (keepalived shutting down) is left alone: the next keepalived start reports a state again.
# LVSNETADM may name the lvsnetadm command (default: lvsnetadm on PATH).
socket=""
if [ $# -gt 4 ]; then
    socket="$1"
    shift
fi
state="$3"
case "$state" in
    MASTER|BACKUP|FAULT)
        if [ -n "$socket" ]; then
            exec ${LVSNETADM:-lvsnetadm} --socket "$socket" role "$state"
        fi
        exec ${LVSNETADM:-lvsnetadm} role "$state"
        ;;
esac
exit 0

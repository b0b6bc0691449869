#!/bin/sh
# keepalived track_script for lvsnetd: exit 0 while the daemon answers on its command socket
# within keepalived's script timeout, 1 otherwise (daemon gone, hung, or its socket missing).
#   vrrp_script chk_lvsnetd { script "/etc/lvsnet/check-lvsnetd.sh [SOCKET]" interval 2 timeout 2 fall 2 rise 1 }
# With weight 0 (the default) a failing check puts the VRRP instance in FAULT, so the other
# director takes over. LVSNETADM may name the lvsnetadm command (default: lvsnetadm on PATH).
if [ -n "${1:-}" ]; then
    exec ${LVSNETADM:-lvsnetadm} --socket "$1" status >/dev/null 2>&1
fi
exec ${LVSNETADM:-lvsnetadm} status >/dev/null 2>&1

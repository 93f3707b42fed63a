#!/bin/sh
# Written by redis-failover-operator.
# usage: readiness.sh PORT [PASSWORD_FILE]
set -eu
port=$1
if [ -n "${2:-}" ] && [ -e "$2" ]; then
	REDISCLI_AUTH=$(cat "$2")
	export REDISCLI_AUTH
fi
info=$(redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning info replication)
case "$info" in
*role:master*) exit 0 ;;
*master_link_status:up*) exit 0 ;;
esac
echo "not ready: $(printf '%s' "$info" | tr -d '\r' | grep -E '^(role|master_link_status|master_host):' | tr '\n' ' ')" >&2
exit 1

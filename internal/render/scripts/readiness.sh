#!/bin/sh
# Written by redis-failover-operator.
# usage: readiness.sh PORT [PASSWORD_FILE]
set -eu
port=$1
if [ -n "${2:-}" ] && [ -e "$2" ]; then
	REDISCLI_AUTH=$(cat "$2")
	export REDISCLI_AUTH
fi
# renamed NAME: the name Redis knows the command NAME by. RENAMED_COMMANDS holds the
# spec.redis.customCommandRenames as "from=to" pairs separated by spaces, lowercase from.
renamed() {
	# The pairs hold only letters, digits, '_', '-' and '=': splitting on spaces is the intent.
	# shellcheck disable=SC2086
	set -- "$1" ${RENAMED_COMMANDS:-}
	rn_name=$1
	shift
	for rn_pair in "$@"; do
		if [ "${rn_pair%%=*}" = "$rn_name" ]; then
			printf '%s' "${rn_pair#*=}"
			return
		fi
	done
	printf '%s' "$rn_name"
}

info=$(redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning "$(renamed info)" replication)
case "$info" in
*role:master*) exit 0 ;;
*master_link_status:up*) exit 0 ;;
esac
echo "not ready: $(printf '%s' "$info" | tr -d '\r' | grep -E '^(role|master_link_status|master_host):' | tr '\n' ' ')" >&2
exit 1

package render

// initScript writes the config file a server starts with. It runs in an init container of both
// the Redis and the sentinel pods, from the Redis image (it needs only sh, od, tr and sed, which
// the stock Debian and Alpine Redis images have). The password never leaves files: it is read
// from the mounted Secret and written, hex-escaped byte by byte inside double quotes, into a
// file on a memory-backed emptyDir. A password with a control character is refused, because a
// trailing newline from `echo` is the usual way a Secret ends up not matching what clients send.
const initScript = `#!/bin/sh
# Written by redis-failover-operator.
# usage: init.sh redis|sentinel TEMPLATE PASSWORD_FILE OUT SECRET_DESCRIPTION
# redis: OUT includes TEMPLATE. sentinel: OUT is a copy of TEMPLATE (the sentinel rewrites it).
# Either way, when PASSWORD_FILE exists its content becomes requirepass (and masterauth for redis).
set -eu
mode=$1 template=$2 password_file=$3 out=$4 secret=$5
tmp="$out.tmp"
case "$mode" in
redis) printf 'include %s\n' "$template" >"$tmp" ;;
sentinel) cat "$template" >"$tmp" ;;
*) echo "init.sh: unknown mode $mode" >&2; exit 2 ;;
esac
if [ -e "$password_file" ]; then
	size=$(wc -c <"$password_file")
	if [ "$size" -eq 0 ]; then
		echo "the password in $secret is empty: put a password in it" >&2
		exit 1
	fi
	printable=$(LC_ALL=C tr -d '\000-\037\177' <"$password_file" | wc -c)
	if [ "$printable" -ne "$size" ]; then
		echo "the password in $secret contains a newline or another control character (often a trailing newline from echo): recreate the Secret, e.g. kubectl create secret generic NAME --from-literal=password=..." >&2
		exit 1
	fi
	hex=$(od -An -v -tx1 "$password_file" | tr -d ' \n' | sed 's/../\\x&/g')
	printf 'requirepass "%s"\n' "$hex" >>"$tmp"
	if [ "$mode" = redis ]; then
		printf 'masterauth "%s"\n' "$hex" >>"$tmp"
	fi
fi
chmod 0600 "$tmp"
mv "$tmp" "$out"
`

// readinessScript is the Redis readiness probe: a master is ready when it answers, a replica
// when its link to its master is up, so that the replica Service only sends reads to replicas
// that have synced. The password goes to redis-cli through REDISCLI_AUTH, not an argument.
const readinessScript = `#!/bin/sh
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
`

// startScript is the Redis container's entrypoint, run on every start of the container, not only
// when the pod is created: an init container does not run again when Redis is OOM-killed or
// crashes and the kubelet restarts it in place, and the config file may have been rewritten as a
// master's by CONFIG REWRITE after a promotion. It writes the config afresh (init.sh) and makes
// the node start as a replica, never as a master:
//   - the sentinels name a master that is not this pod: follow it;
//   - otherwise (no sentinel answers, as at bootstrap, or they name this very pod, which means
//     the master restarted in place and came back with at most its last snapshot): follow
//     itself. A replica of itself never completes a sync (it refuses PSYNC while its own link
//     is down), and with replica-serve-stale-data no (in redis.conf) it answers every data
//     command with an error: it serves nothing, and its replicas cannot resync from it and drop
//     their newer data. The operator or the sentinels promote the node with the most data.
//
// The sentinel is asked with a bounded wait (timeout), so a missing sentinel only delays the
// start by that much. POD_IP comes from the downward API.
const startScript = `#!/bin/sh
# Written by redis-failover-operator.
# usage: start.sh TEMPLATE PASSWORD_FILE OUT SECRET_DESCRIPTION PORT SENTINEL_HOST SENTINEL_PORT MASTER_NAME
set -eu
template=$1 password_file=$2 out=$3 secret=$4 port=$5 sentinel_host=$6 sentinel_port=$7 master_name=$8
sh "$(dirname "$0")/init.sh" redis "$template" "$password_file" "$out" "$secret"
if [ -e "$password_file" ]; then
	REDISCLI_AUTH=$(cat "$password_file")
	export REDISCLI_AUTH
fi
master_ip= master_port=
if reply=$(timeout 5 redis-cli -h "$sentinel_host" -p "$sentinel_port" --no-auth-warning --raw \
	sentinel get-master-addr-by-name "$master_name" 2>&1); then
	master_ip=$(printf '%s\n' "$reply" | sed -n 1p | tr -d '\r')
	master_port=$(printf '%s\n' "$reply" | sed -n 2p | tr -d '\r')
	case "$master_port" in
	'' | *[!0-9]*) master_ip= master_port= ;;
	esac
fi
if [ -n "$master_ip" ] && [ "$master_ip" != "${POD_IP:-}" ]; then
	echo "start.sh: the sentinels name $master_ip:$master_port as master of $master_name: starting as its replica"
	printf 'replicaof %s %s\n' "$master_ip" "$master_port" >>"$out"
elif [ -n "$master_ip" ]; then
	echo "start.sh: the sentinels name this pod ($master_ip) as master of $master_name: it restarted in place, so it starts fenced (a replica of itself, serving nothing) until the sentinels or the operator pick the node with the most data"
	printf 'replicaof 127.0.0.1 %s\n' "$port" >>"$out"
else
	echo "start.sh: no sentinel names a master of $master_name ($(printf '%s' "$reply" | tr -d '\r' | tr '\n' ' ')): starting fenced (a replica of itself, serving nothing) until the operator picks a master"
	printf 'replicaof 127.0.0.1 %s\n' "$port" >>"$out"
fi
exec redis-server "$out"
`

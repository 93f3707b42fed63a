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

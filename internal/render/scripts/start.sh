#!/bin/sh
# Written by redis-failover-operator.
# usage: start.sh TEMPLATE PASSWORD_FILE OUT SECRET_DESCRIPTION PORT SENTINEL_HOST SENTINEL_PORT MASTER_NAME
set -eu
template=$1 password_file=$2 out=$3 secret=$4 port=$5 sentinel_host=$6 sentinel_port=$7 master_name=$8
sh "$(dirname "$0")/init.sh" redis "$template" "$password_file" "$out" "$secret"
if [ -e "$password_file" ]; then
	REDISCLI_AUTH=$(cat "$password_file")
	export REDISCLI_AUTH
fi
master_ip='' master_port=''
if reply=$(timeout 5 redis-cli -h "$sentinel_host" -p "$sentinel_port" --no-auth-warning --raw \
	sentinel get-master-addr-by-name "$master_name" 2>&1); then
	master_ip=$(printf '%s\n' "$reply" | sed -n 1p | tr -d '\r')
	master_port=$(printf '%s\n' "$reply" | sed -n 2p | tr -d '\r')
	case "$master_port" in
	'' | *[!0-9]*) master_ip='' master_port='' ;;
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

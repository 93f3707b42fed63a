#!/bin/sh
# Written by redis-failover-operator.
# usage: prestop.sh PORT PASSWORD_FILE SENTINEL_HOST SENTINEL_PORT MASTER_NAME TIMEOUT_SECONDS
#
# The Redis container's preStop hook. A replica returns at once. A master asks one sentinel for
# a switchover (SENTINEL FAILOVER: the project's sentinel pauses this node's writes, waits until
# the chosen replica has every write this node acknowledged, promotes it and makes this node its
# replica) and returns once the sentinels name the new master and this node follows it, so that
# nothing acknowledged is lost when the kubelet then stops redis-server. It gives up after
# TIMEOUT_SECONDS, and at once when no replica can take over; then it says why on its output
# (which the kubelet puts into a FailedPreStopHook Event), in redis-server's log and in the
# termination message, and exits 1 (the kubelet stops the container either way).
# POD_IP comes from the downward API; RENAMED_COMMANDS (see renamed) from the pod spec.
set -u
port=$1 password_file=$2 sentinel_host=$3 sentinel_port=$4 master_name=$5 timeout_s=$6
pod_ip=${POD_IP:-}
# Each redis-cli call is bounded, so that one hung server cannot use up the grace period.
call_timeout=2
# redis-server is PID 1 of the container (start.sh execs it): its stdout is the container log.
log_file=${PRESTOP_LOG_FILE:-/proc/1/fd/1}
termination_log=${PRESTOP_TERMINATION_LOG:-/dev/termination-log}

say() {
	echo "prestop: $*"
	if [ -w "$log_file" ]; then echo "prestop: $*" >>"$log_file"; fi
}

give_up() {
	say "$*"
	if [ -w "$termination_log" ]; then echo "prestop: $*" >"$termination_log"; fi
	exit 1
}

# cli runs redis-cli; redis-cli exits 0 on error replies, so callers look at the text.
cli() {
	timeout "$call_timeout" redis-cli --no-auth-warning --raw "$@" 2>&1 | tr -d '\r'
}

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

# field NAME: the value after the line NAME in redis-cli --raw output of a field/value reply.
field() {
	sed -n "/^$1\$/{n;p;q;}"
}

if [ -e "$password_file" ]; then
	REDISCLI_AUTH=$(cat "$password_file")
	export REDISCLI_AUTH
fi

info=$(cli -h 127.0.0.1 -p "$port" "$(renamed info)" replication)
case "$info" in
*role:master*) ;;
*role:slave*)
	say "this node is a replica: nothing to hand over"
	exit 0
	;;
*)
	say "the local server does not answer ($info): nothing to hand over"
	exit 0
	;;
esac
case "$info" in
*connected_slaves:0*) give_up "no replica can take over: this master has no connected replica; stopping without a handover" ;;
esac

# One sentinel is asked throughout: sentinels asked through the Service one call each could
# start two failovers at once. The Service's sentinel names its peers; the first that answers
# is pinned. With no peer (a single sentinel) the Service address is that sentinel.
pong=$(cli -h "$sentinel_host" -p "$sentinel_port" ping)
case "$pong" in
PONG) ;;
*) give_up "no replica can take over: no sentinel answers at $sentinel_host:$sentinel_port (${pong:-no reply}), so nobody can promote a replica; stopping without a handover" ;;
esac
peers=$(cli -h "$sentinel_host" -p "$sentinel_port" sentinel sentinels "$master_name")
ips=$(printf '%s\n' "$peers" | sed -n '/^ip$/{n;p;}')
ports=$(printf '%s\n' "$peers" | sed -n '/^port$/{n;p;}')
sip=$sentinel_host sport=$sentinel_port
i=1
for ip in $ips; do
	p=$(printf '%s\n' "$ports" | sed -n "${i}p")
	i=$((i + 1))
	case "$(cli -h "$ip" -p "$p" ping)" in
	PONG)
		sip=$ip sport=$p
		break
		;;
	esac
done

master_addr() {
	cli -h "$sip" -p "$sport" sentinel get-master-addr-by-name "$master_name" | sed -n 1p
}

master=$(master_addr)
if [ "$master" != "$pod_ip" ]; then
	say "sentinel $sip:$sport names ${master:-no master} as master of $master_name, not this pod ($pod_ip): nothing to hand over"
	exit 0
fi

started=$(date +%s)
deadline=$((started + timeout_s))
while :; do
	reply=$(cli -h "$sip" -p "$sport" sentinel failover "$master_name")
	case "$reply" in
	OK) say "asked sentinel $sip:$sport for a switchover of $master_name: writes pause until the chosen replica has every acknowledged write" ;;
	*INPROG*) ;;
	*NOGOODSLAVE*) give_up "no replica can take over: sentinel $sip:$sport answers \"$reply\" (every replica is down, unlinked, stale or has replica-priority 0); stopping without a handover" ;;
	*) say "sentinel $sip:$sport answered \"$reply\" to SENTINEL FAILOVER; asking again" ;;
	esac
	# Wait while the sentinel fails over; when it gave up (e.g. the replica did not catch up in
	# time) ask again, as long as time remains. Nothing waits on this loop but the pod's own
	# termination, while the handover it watches is on every client's critical path and shares
	# the node's CPUs with it: each round starts several processes, so it looks only every
	# 250 ms. On a 2-CPU node polling every 50 ms made a graceful deletion's handover gap about
	# 150 ms longer than a switchover's on request in the same run; at 250 ms, about 40 ms.
	while :; do
		master=$(master_addr)
		if [ -n "$master" ] && [ "$master" != "$pod_ip" ]; then
			break 2
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			give_up "no handover within ${timeout_s}s: sentinel $sip:$sport still names this pod as master of $master_name (last answer to SENTINEL FAILOVER: \"$reply\"); stopping without a handover"
		fi
		case "$(cli -h "$sip" -p "$sport" sentinel master "$master_name" | field flags)" in
		*failover_in_progress*) ;;
		*) break ;;
		esac
		sleep 0.25
	done
done

new_port=$(cli -h "$sip" -p "$sport" sentinel get-master-addr-by-name "$master_name" | sed -n 2p)
# The sentinel demotes this node right after the promotion; until then its writes stay paused.
while :; do
	case "$(cli -h 127.0.0.1 -p "$port" "$(renamed info)" replication)" in
	*role:slave*)
		say "handed over in $(($(date +%s) - started))s: $master:$new_port is master of $master_name and this node follows it"
		exit 0
		;;
	esac
	if [ "$(date +%s)" -ge "$deadline" ]; then
		# The sentinels agree on the new master: follow it, so that this node acknowledges no
		# write the new master would not have.
		say "the sentinels name $master:$new_port as master but this node was not demoted within ${timeout_s}s: following it now"
		cli -h 127.0.0.1 -p "$port" "$(renamed replicaof)" "$master" "$new_port" >/dev/null
		exit 0
	fi
	sleep 0.1
done

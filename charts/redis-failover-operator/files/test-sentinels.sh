#!/bin/sh
# `helm test`: asks the RedisFailover's sentinels (through their Service) for the master, asks every
# sentinel they know for it too, and checks that all name the same master and that it answers
# PING as a master. REDISCLI_AUTH holds the password when the RedisFailover has one.
# Arguments: SENTINEL_SERVICE MASTER_NAME
set -eu
service="$1"
master_name="$2"
port=26379

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# get-master-addr-by-name prints the IP and the port on two lines.
addr=$(redis-cli -h "${service}" -p "${port}" SENTINEL get-master-addr-by-name "${master_name}") ||
	fail "cannot reach the sentinels at ${service}:${port}"
master_ip=$(echo "${addr}" | sed -n 1p)
master_port=$(echo "${addr}" | sed -n 2p)
if [ -z "${master_ip}" ] || [ -z "${master_port}" ]; then
	fail "the sentinels at ${service}:${port} know no master named ${master_name} (reply: '${addr}')"
fi
echo "sentinels at ${service}:${port} name ${master_ip}:${master_port} as master ${master_name}"

# SENTINEL SENTINELS lists the other sentinels as field/value lines: take each ip and port.
others=$(redis-cli -h "${service}" -p "${port}" SENTINEL sentinels "${master_name}" |
	awk 'prev == "ip" { ip = $0 } prev == "port" { print ip ":" $0 } { prev = $0 }')
[ -n "${others}" ] || fail "the sentinel at ${service}:${port} knows no other sentinel for ${master_name}"
for s in ${others}; do
	s_ip=${s%:*}
	s_port=${s##*:}
	got=$(redis-cli -h "${s_ip}" -p "${s_port}" SENTINEL get-master-addr-by-name "${master_name}" | tr '\n' ':') ||
		fail "cannot reach the sentinel at ${s}"
	[ "${got}" = "${master_ip}:${master_port}:" ] ||
		fail "the sentinel at ${s} names '${got%:}' as master, not ${master_ip}:${master_port}"
	echo "sentinel ${s} agrees"
done

role=$(redis-cli -h "${master_ip}" -p "${master_port}" ROLE | sed -n 1p) || fail "cannot reach the master at ${master_ip}:${master_port}"
[ "${role}" = "master" ] || fail "${master_ip}:${master_port} says its role is '${role}', not master"
echo "OK: master ${master_name} is ${master_ip}:${master_port}, $(echo "${others}" | wc -w) other sentinel(s) agree"

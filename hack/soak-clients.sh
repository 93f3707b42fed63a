#!/usr/bin/env bash
# Client soak: go-redis, redis-py (Debian's python3-redis), ioredis and node-redis (npm, pinned
# in test/soak/clients/package-lock.json) through repeated master kills, with our sentinel and
# with Debian's redis-sentinel 7.0.15 in the same run. Writes docs/soak-clients.md.
#   make soak-clients                 # 50 kills per implementation, about 30 minutes
#   make soak-clients SOAK_KILLS=2    # the short version `make test` runs
#   hack/soak-clients.sh -clients node-redis -trace   # extra flags go to the Go program
set -euo pipefail
cd "$(dirname "$0")/.."

for bin in /usr/bin/redis-server /usr/bin/redis-sentinel /usr/bin/python3; do
	if [ ! -x "$bin" ]; then
		echo "soak-clients: $bin is missing; run: hack/toolchain.sh debian" >&2
		exit 1
	fi
done
if ! /usr/bin/python3 -c 'import redis.sentinel' 2>/dev/null; then
	echo "soak-clients: Debian's python3-redis is missing; run: hack/toolchain.sh debian" >&2
	exit 1
fi
hack/node-clients.sh
go build -o bin/soak-goredis ./test/soak/clients/goredis

export SOAK_COMMAND="make soak-clients${SOAK_KILLS:+ SOAK_KILLS=$SOAK_KILLS}${SOAK_ARGS:+ SOAK_ARGS=\"$SOAK_ARGS\"}${*:+ (hack/soak-clients.sh $*)}"
# shellcheck disable=SC2086 # SOAK_ARGS is a list of flags
exec go run ./test/soak -kills "${SOAK_KILLS:-50}" -ours bin/redis-failover-sentinel -goredis bin/soak-goredis \
	-out "${SOAK_OUT-docs/soak-clients.md}" ${SOAK_ARGS:-} "$@"

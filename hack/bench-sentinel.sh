#!/usr/bin/env bash
# Failover benchmark of our sentinel beside Debian's redis-sentinel 7.0.15 (same run, same
# machine). Writes docs/bench-sentinel.md.
# Took 10 minutes with the defaults (docs/bench-sentinel.md: 2026-11-27, shared 2-core machine); extra flags go to the Go program, e.g.
#   make bench-sentinel BENCH_ARGS="-quick"          # 1 run per case, down-after 1000 only
#   hack/bench-sentinel.sh -runs 10 -faults kill
set -euo pipefail
cd "$(dirname "$0")/.."

for bin in /usr/bin/redis-server /usr/bin/redis-sentinel; do
	if [ ! -x "$bin" ]; then
		echo "bench-sentinel: $bin is missing; install it with: apt-get install -y redis-server redis-sentinel (or make tools)" >&2
		exit 1
	fi
done

export BENCH_COMMAND="make bench-sentinel${BENCH_ARGS:+ BENCH_ARGS=\"$BENCH_ARGS\"}${*:+ (hack/bench-sentinel.sh $*)}"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
exec go run ./test/bench/sentinel -ours bin/redis-failover-sentinel -out docs/bench-sentinel.md ${BENCH_ARGS:-} "$@"

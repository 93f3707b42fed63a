package render

// The scripts the pods run live in scripts/*.sh, so that shellcheck (make lint) reads them; they
// reach the pods through the ConfigMaps objects.go renders.

import _ "embed"

// initScript writes the config file a server starts with. It runs in an init container of both
// the Redis and the sentinel pods, from the Redis image (it needs only sh, od, tr and sed, which
// the stock Debian and Alpine Redis images have). The password never leaves files: it is read
// from the mounted Secret and written, hex-escaped byte by byte inside double quotes, into a
// file on a memory-backed emptyDir. A password with a control character is refused, because a
// trailing newline from `echo` is the usual way a Secret ends up not matching what clients send.
//
//go:embed scripts/init.sh
var initScript string

// readinessScript is the Redis readiness probe: a master is ready when it answers, a replica
// when its link to its master is up, so that the replica Service only sends reads to replicas
// that have synced. The password goes to redis-cli through REDISCLI_AUTH, not an argument.
//
//go:embed scripts/readiness.sh
var readinessScript string

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
//
//go:embed scripts/start.sh
var startScript string

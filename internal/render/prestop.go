package render

import (
	_ "embed"
	"path"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// preStopScript is the Redis container's preStop hook: a master hands its role to a replica
// through the sentinels before the kubelet stops it (kubectl delete pod, an eviction through the
// PDB as kubectl drain does, a graceful node shutdown); a replica returns at once.
//
// It is a shell script run with redis-cli from the Redis image rather than a Go helper: the
// Redis pod needs no second image, no init container copying a binary and no API access, and
// the script runs with the same tools as start.sh (sh, redis-cli, timeout, sed, date, sleep).
// The handover itself is the sentinel's SENTINEL FAILOVER, which pauses writes and waits for the
// replica to catch up; the script only asks one sentinel and waits, bounded, for the outcome.
// When no replica can take over it exits 1 at once with the reason, which the kubelet reports
// as a FailedPreStopHook Event on the pod.
//
//go:embed scripts/prestop.sh
var preStopScript string

// preStopCustomScript is the preStop hook when spec.redis.shutdownConfigMap is set: prestop.sh,
// then the user's shutdown.sh (pod_extensions.go).
//
//go:embed scripts/prestop-custom.sh
var preStopCustomScript string

const preStopScriptKey = "prestop.sh"

// Bounds of the master's handover on termination. The sentinel's switchover is itself bounded
// (writes stay paused at most 5 s, the replica gets 2.5 s to catch up, or the switchover is
// aborted and the script asks again); handoverTimeout covers a retry with margin. The grace
// period must also leave redis-server time to stop (a replica saves its RDB on SIGTERM when
// persistence is on), shutdownMargin of it.
const (
	handoverTimeoutSeconds = 10
	shutdownMarginSeconds  = 10
	// DefaultRedisTerminationGracePeriodSeconds is the Redis pods' grace period when
	// spec.redis.terminationGracePeriod is unset: the handover plus the shutdown margin, with
	// room to spare (it is also Kubernetes' own default).
	DefaultRedisTerminationGracePeriodSeconds = 30
)

// handoverTimeout is how long the hook waits for the sentinels: handoverTimeoutSeconds, or less
// when the grace period is too short to also leave shutdownMarginSeconds for redis-server.
func handoverTimeout(grace int64) int64 {
	return max(1, min(handoverTimeoutSeconds, grace-shutdownMarginSeconds))
}

// redisGracePeriod is the Redis pods' terminationGracePeriodSeconds.
func redisGracePeriod(r redisv1alpha1.RedisSettings) int64 {
	if r.TerminationGracePeriodSeconds != nil {
		return *r.TerminationGracePeriodSeconds
	}
	return DefaultRedisTerminationGracePeriodSeconds
}

func redisLifecycle(rf *redisv1alpha1.RedisFailover) *corev1.Lifecycle {
	r := rf.Spec.Redis
	return &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{
		Command: []string{"sh", path.Join(redisTemplateDir, preStopScriptKey),
			strconv.Itoa(int(r.Port)), path.Join(redisSecretDir, passwordFileName),
			SentinelName(rf), strconv.Itoa(redisv1alpha1.SentinelPort), rf.MasterName(),
			strconv.FormatInt(handoverTimeout(redisGracePeriod(r)), 10)},
	}}}
}

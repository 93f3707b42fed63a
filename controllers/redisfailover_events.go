package controllers

import (
	corev1 "k8s.io/api/core/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// eventReasons maps the actions a user should hear about to their Event reasons (defined, with
// every other reason, in api/v1alpha1/reasons.go). Label changes are only logged:
// MasterChanged already tells the story, and one event per label is noise.
var eventReasons = map[topology.ActionKind]string{
	topology.Promote:     redisv1alpha1.ReasonPromoted,
	topology.ReplicaOf:   redisv1alpha1.ReasonReplicaRewired,
	topology.Monitor:     redisv1alpha1.ReasonSentinelMonitoring,
	topology.Remonitor:   redisv1alpha1.ReasonSentinelRepointed,
	topology.SetOptions:  redisv1alpha1.ReasonSentinelOptionsSet,
	topology.AskFailover: redisv1alpha1.ReasonFailoverRequested,
	topology.DeletePod:   redisv1alpha1.ReasonRollingRestart,
	topology.Switchover:  redisv1alpha1.ReasonSwitchoverRequested,
	topology.ConfigSet:   redisv1alpha1.ReasonConfigApplied,
}

func eventType(kind topology.ActionKind) string {
	switch kind {
	case topology.Remonitor, topology.AskFailover:
		// The operator had to step in where the sentinels could not: worth a second look.
		return corev1.EventTypeWarning
	}
	return corev1.EventTypeNormal
}

func (r *RedisFailoverReconciler) event(rf *redisv1alpha1.RedisFailover, eventtype, reason, action, note string) {
	r.eventWith(rf, eventtype, reason, action, note, nil)
}

// eventWith records an Event and sends it as a notification (redisfailover_notify.go), with
// the master change when there is one.
func (r *RedisFailoverReconciler) eventWith(rf *redisv1alpha1.RedisFailover, eventtype, reason, action, note string, change *masterChange) {
	if r.Recorder != nil {
		r.Recorder.Eventf(rf, nil, eventtype, reason, action, "%s", note)
	}
	r.notify(rf, eventtype, reason, note, change)
}

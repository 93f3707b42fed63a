package controllers

import (
	corev1 "k8s.io/api/core/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// Event reasons: what a user sees in `kubectl describe rf` and `kubectl events`.
const (
	EventInvalidSpec      = "InvalidSpec"
	EventSecretUnreadable = "SecretUnreadable"
	EventActionFailed     = "ActionFailed"
	EventPromoted         = "Promoted"
	EventReplicaRewired   = "ReplicaRewired"
	EventSentinelMonitor  = "SentinelMonitoring"
	EventSentinelRepoint  = "SentinelRepointed"
	EventSentinelOptions  = "SentinelOptionsSet"
	EventFailoverAsked    = "FailoverRequested"
	EventRollingRestart   = "RollingRestart"
	EventSwitchover       = "SwitchoverRequested"
	EventMasterChanged    = "MasterChanged"
	EventReady            = "Ready"
	EventNotReady         = "NotReady"
)

// eventReasons maps the actions a user should hear about to event reasons. Label changes are
// only logged: MasterChanged already tells the story, and one event per label is noise.
var eventReasons = map[topology.ActionKind]string{
	topology.Promote:     EventPromoted,
	topology.ReplicaOf:   EventReplicaRewired,
	topology.Monitor:     EventSentinelMonitor,
	topology.Remonitor:   EventSentinelRepoint,
	topology.SetOptions:  EventSentinelOptions,
	topology.AskFailover: EventFailoverAsked,
	topology.DeletePod:   EventRollingRestart,
	topology.Switchover:  EventSwitchover,
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
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(rf, nil, eventtype, reason, action, "%s", note)
}

package controllers

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// updateStatus writes what this reconcile observed, judged by topology.Assess (h) and the
// decision d: conditions, the master, each node, the sentinels' agreement and, when the master
// changed, the failover record. It reports the observation as it was before this reconcile's
// actions; the next reconcile (requeued right after acting) reports their effect. A switchover
// that ended in this reconcile (finished, else nil) is recorded in the same write.
func (r *RedisFailoverReconciler) updateStatus(ctx context.Context, rf *redisv1alpha1.RedisFailover, o *observation, d topology.Decision, h topology.Health, finished *redisv1alpha1.SwitchoverStatus) error {
	err := r.writeStatus(ctx, rf, o, d, h, finished)
	if err != nil {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "status").Inc()
	}
	return err
}

func (r *RedisFailoverReconciler) writeStatus(ctx context.Context, rf *redisv1alpha1.RedisFailover, o *observation, d topology.Decision, h topology.Health, finished *redisv1alpha1.SwitchoverStatus) error {
	before := rf.DeepCopy()
	recordFinishedSwitchover(rf, finished)
	st := &rf.Status
	st.ObservedGeneration = rf.Generation
	st.MasterName = o.spec.MasterName

	st.Master = nil
	// The status names a master only when the plan recognises it too: a lone fresh pod that
	// says "master" while the others start is not the master yet, and recording it would
	// report a failover that never happened.
	if master, ok := o.topology.Node(h.Master); ok && h.HasOneMaster() && d.Master == h.Master {
		st.Master = &redisv1alpha1.MasterStatus{Pod: master.Pod, IP: master.IP, Port: int32(master.Port)}
		// Compared with the last master seen, not with status.master: during a failover there
		// is no master for a while, and the record must still say where it came from.
		if from := r.masters.swap(client.ObjectKeyFromObject(rf), master.Pod, before.Status.Master); from != "" && from != master.Pod {
			reason := redisv1alpha1.FailoverReasonFailover
			if switchoverMoved(rf, from) {
				reason = redisv1alpha1.FailoverReasonSwitchover
			}
			st.LastFailover = &redisv1alpha1.FailoverRecord{Time: metav1.Now(), From: from, To: master.Pod, Reason: reason}
			failovers.WithLabelValues(rf.Namespace, rf.Name).Inc()
			r.eventWith(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonMasterChanged, "Observe",
				fmt.Sprintf("the master moved from %s to %s", from, master.Pod), &masterChange{from: from, to: master.Pod})
		}
	}

	st.Nodes = make([]redisv1alpha1.NodeStatus, 0, len(h.Nodes))
	for _, n := range h.Nodes {
		ns := redisv1alpha1.NodeStatus{Pod: n.Pod, IP: n.IP, Role: n.Role, ReplicationOffset: n.Offset, LagBytes: n.LagBytes}
		if n.Role == role.Replica {
			ns.MasterLinkStatus = "down"
			if n.LinkUp {
				ns.MasterLinkStatus = "up"
			}
		}
		st.Nodes = append(st.Nodes, ns)
	}
	st.Sentinels = redisv1alpha1.SentinelsStatus{
		Expected: int32(o.spec.Sentinels),
		Ready:    int32(h.SentinelsReachable),
		Agreeing: int32(h.Agreeing),
		Quorum:   int32(o.spec.Quorum),
		Summary:  fmt.Sprintf("%d/%d", h.Agreeing, o.spec.Sentinels),
	}

	wasReady := meta.IsStatusConditionTrue(before.Status.Conditions, redisv1alpha1.ConditionReady)
	for _, c := range withPodsCause(conditions(h, o.spec, d), o.pods) {
		c.ObservedGeneration = rf.Generation
		meta.SetStatusCondition(&st.Conditions, c)
	}
	meta.SetStatusCondition(&st.Conditions, ignoredFieldsCondition(ignoredFields(rf, r.Render), rf.Generation))
	recordHealth(rf, h, o.spec)

	// A reconcile runs several times a second during a failover; most change nothing in status,
	// and an empty merge patch is still a round trip to the API server.
	if !equality.Semantic.DeepEqual(before.Status, rf.Status) {
		if err := r.Status().Patch(ctx, rf, client.MergeFrom(before)); err != nil {
			return fmt.Errorf("updating status of %s/%s: %w", rf.Namespace, rf.Name, err)
		}
	}
	r.finishedSwitchoverEvent(rf, finished)
	if prev := meta.FindStatusCondition(before.Status.Conditions, redisv1alpha1.ConditionPodsRunning); o.pods.Status == metav1.ConditionFalse &&
		(prev == nil || prev.Status != metav1.ConditionFalse || prev.Message != o.pods.Message) {
		// Once per new cause, not once per reconcile (the message holds no restart count).
		r.event(rf, corev1.EventTypeWarning, o.pods.Reason, "Observe", o.pods.Message)
	}
	switch {
	case h.Ready() && !wasReady:
		r.event(rf, corev1.EventTypeNormal, redisv1alpha1.ReasonReady, "Observe", fmt.Sprintf("master %s, %d replicas in sync, %d/%d sentinels agree", h.Master, o.spec.Nodes-1, h.Agreeing, o.spec.Sentinels))
	case !h.Ready() && wasReady:
		ready := meta.FindStatusCondition(st.Conditions, redisv1alpha1.ConditionReady)
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonNotReady, "Observe", ready.Message)
	}
	return nil
}

// withPodsCause adds PodsRunning to the conditions and, while pods do not run and the group is
// not Ready, puts their cause in Ready: the pods' own words are the cause a user can act on,
// "0 of 3 Redis nodes answer" is only its effect. Pure.
func withPodsCause(conds []metav1.Condition, pods metav1.Condition) []metav1.Condition {
	for i := range conds {
		if conds[i].Type == redisv1alpha1.ConditionReady && conds[i].Status != metav1.ConditionTrue && pods.Status == metav1.ConditionFalse {
			conds[i].Reason, conds[i].Message = pods.Reason, pods.Message
		}
	}
	return append(conds, pods)
}

// conditions derives the four conditions. Ready's reason is the first thing that is wrong, in
// the order a user should fix or wait for them. Pure.
func conditions(h topology.Health, s topology.Spec, d topology.Decision) []metav1.Condition {
	master := metav1.Condition{Type: redisv1alpha1.ConditionMasterAvailable}
	switch len(h.Masters) {
	case 1:
		master.Status, master.Reason = metav1.ConditionTrue, redisv1alpha1.ReasonMasterFound
		master.Message = fmt.Sprintf("%s is the only writable master", h.Master)
	case 0:
		master.Status, master.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonNoMaster
		master.Message = "no Redis node reports role master"
		if d.Waiting != "" {
			master.Message += ": " + d.Waiting
		}
	default:
		master.Status, master.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonMultipleMasters
		master.Message = fmt.Sprintf("%s all report role master; the operator keeps %q and demotes the others", strings.Join(h.Masters, ", "), d.Master)
		if d.Master == "" {
			master.Message = fmt.Sprintf("%s all report role master; %s", strings.Join(h.Masters, ", "), d.Waiting)
		}
	}

	replicas := metav1.Condition{Type: redisv1alpha1.ConditionReplicasInSync}
	switch {
	case !h.HasOneMaster():
		replicas.Status, replicas.Reason, replicas.Message = metav1.ConditionFalse, master.Reason, "no single master to follow"
	case h.ReplicasInSync():
		replicas.Status, replicas.Reason = metav1.ConditionTrue, redisv1alpha1.ReasonReplicasInSync
		replicas.Message = fmt.Sprintf("%d replicas follow %s with their link up", s.Nodes-1, h.Master)
	default:
		replicas.Status, replicas.Reason, replicas.Message = metav1.ConditionFalse, redisv1alpha1.ReasonReplicasNotInSync, topology.Summary(h.NotInSync)
	}

	sentinels := metav1.Condition{Type: redisv1alpha1.ConditionSentinelsAgree}
	switch {
	case !h.QuorumReachable(s.Quorum):
		sentinels.Status, sentinels.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonQuorumUnreachable
		sentinels.Message = fmt.Sprintf("%d of %d sentinels answer, fewer than the quorum %d: no failover can start", h.SentinelsReachable, s.Sentinels, s.Quorum)
		if len(h.SentinelProblems) > 0 {
			sentinels.Message += "; " + topology.Summary(h.SentinelProblems)
		}
	case h.SentinelsAgree():
		sentinels.Status, sentinels.Reason = metav1.ConditionTrue, redisv1alpha1.ReasonSentinelsAgree
		sentinels.Message = fmt.Sprintf("%d/%d sentinels name %s as master %s and see every replica and sentinel", h.Agreeing, s.Sentinels, h.Master, s.MasterName)
	default:
		sentinels.Status, sentinels.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonSentinelsDisagree
		sentinels.Message = topology.Summary(h.SentinelProblems)
		if sentinels.Message == "" {
			sentinels.Message = "no single master for the sentinels to agree on"
		}
	}

	ready := metav1.Condition{Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: redisv1alpha1.ReasonReady,
		Message: fmt.Sprintf("master %s, replicas in sync, %d/%d sentinels agree", h.Master, h.Agreeing, s.Sentinels)}
	for _, c := range []metav1.Condition{master, replicas, sentinels} {
		if c.Status != metav1.ConditionTrue {
			ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, c.Reason, c.Message
			break
		}
	}
	return []metav1.Condition{ready, master, replicas, sentinels}
}

// setNotReady reports a problem that stops the reconcile before anything is observed (a spec
// that cannot be rendered, an unreadable Secret); the other conditions are left as they were.
func (r *RedisFailoverReconciler) setNotReady(ctx context.Context, rf *redisv1alpha1.RedisFailover, reason string, cause error) error {
	before := rf.DeepCopy()
	rf.Status.ObservedGeneration = rf.Generation
	if rf.Status.MasterName == "" {
		// Recorded once: it is the name in force from then on (a refused change of
		// spec.sentinel.masterName must not slip in here).
		rf.Status.MasterName = rf.MasterName()
	}
	meta.SetStatusCondition(&rf.Status.Conditions, metav1.Condition{Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionFalse,
		Reason: reason, Message: cause.Error(), ObservedGeneration: rf.Generation})
	if err := r.Status().Patch(ctx, rf, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("updating status of %s/%s: %w", rf.Namespace, rf.Name, err)
	}
	return nil
}

// lastMasters remembers the last master seen per RedisFailover. It starts from status.master, so
// an operator restart forgets only a failover that happened while it was down and the master
// was unobservable at its first look.
type lastMasters struct {
	mu sync.Mutex
	m  map[types.NamespacedName]string
}

// swap records pod as the master of key and returns the previous one.
func (l *lastMasters) swap(key types.NamespacedName, pod string, status *redisv1alpha1.MasterStatus) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[types.NamespacedName]string{}
	}
	previous, known := l.m[key]
	if !known && status != nil {
		previous = status.Pod
	}
	l.m[key] = pod
	return previous
}

func (l *lastMasters) forget(key types.NamespacedName) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

func recordHealth(rf *redisv1alpha1.RedisFailover, h topology.Health, s topology.Spec) {
	inSync := 0
	for _, n := range h.Nodes {
		if n.Role == role.Replica && n.InSync {
			inSync++
		}
	}
	hasMaster.WithLabelValues(rf.Namespace, rf.Name).Set(boolGauge(h.HasOneMaster()))
	replicasInSync.WithLabelValues(rf.Namespace, rf.Name).Set(float64(inSync))
	replicasExpected.WithLabelValues(rf.Namespace, rf.Name).Set(float64(s.Nodes - 1))
	sentinelsAgreeing.WithLabelValues(rf.Namespace, rf.Name).Set(float64(h.Agreeing))
	ready.WithLabelValues(rf.Namespace, rf.Name).Set(boolGauge(h.Ready()))
}

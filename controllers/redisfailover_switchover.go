package controllers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	goredis "github.com/redis/go-redis/v9"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/switchover"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// switchover takes a request from the redis.failover.dev/switchover annotation into
// status.switchover and carries the switchover in status one step further. Every decision is
// switchover.Accept or switchover.Next (pure); this is only their I/O. The intent is written to
// status before anything is done, and read back from status on every reconcile, so an operator
// restarted mid-switchover resumes it. It reports whether a switchover is in progress (the
// reconcile then looks again soon and takes no rollout step), and the final status of a
// switchover that ended in this reconcile: the status write records it together with the
// master it produced, so that no reader sees "Succeeded" beside the old master.
func (r *RedisFailoverReconciler) switchover(ctx context.Context, rf *redisv1alpha1.RedisFailover, o *observation, h topology.Health, password string) (bool, *redisv1alpha1.SwitchoverStatus, error) {
	obs := switchover.Observation{
		Topology:             o.topology,
		Health:               h,
		Quorum:               o.spec.Quorum,
		SentinelSeesPriority: -1,
		Now:                  time.Now(),
	}
	r.warnIfMasterStopsWithoutHandover(rf, o, obs)
	if requested, ok := rf.Annotations[redisv1alpha1.AnnotationSwitchover]; ok {
		if err := r.takeSwitchoverRequest(ctx, rf, requested, obs); err != nil {
			return false, nil, err
		}
	}
	sw := rf.Status.Switchover
	if sw == nil || sw.Phase != redisv1alpha1.SwitchoverInProgress {
		return false, nil, nil
	}
	rc := redis.Client{Password: password, Timeout: r.RedisTimeout, Renames: render.CommandRenames(rf)}
	if target, ok := o.topology.Node(sw.Target); ok {
		obs.SentinelSeesPriority = sentinelSeesPriority(ctx, rc, sentinelAddr(o.topology, sw.Sentinel), rf.MasterName(), target)
	}
	step := switchover.Next(*sw, obs)
	logger := log.FromContext(ctx).WithValues("switchover", sw.Requested, "step", step.Kind, "phase", step.Status.Phase)
	logger.Info("switchover", "why", step.Status.Result)

	// Intent first: a step of a switchover still in progress is recorded before it is done, so
	// that a restarted operator knows what may have happened (the original priority above all).
	// The end is recorded after the last step (restoring the priority) is done.
	final := step.Status.Phase.Finished()
	if !final {
		if err := r.setSwitchoverStatus(ctx, rf, step.Status); err != nil {
			return true, nil, err
		}
	}
	var err error
	switch step.Kind {
	case switchover.SetPriority:
		node, _ := o.topology.Node(step.Node)
		err = setReplicaPriority(ctx, rc, node.Addr(), step.Priority)
	case switchover.AskSentinel:
		err = rc.SentinelFailover(ctx, sentinelAddr(o.topology, step.Status.Sentinel), rf.MasterName())
		if err == nil {
			r.event(rf, corev1.EventTypeNormal, redisv1alpha1.ReasonSwitchoverRequested, "Switchover", step.Status.Result)
		}
	}
	if err != nil {
		err = fmt.Errorf("switchover %q, %s: %w", sw.Requested, step.Kind, err)
		logger.Error(err, "switchover step failed; retrying on the next reconcile")
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonActionFailed, "Switchover", err.Error())
		return true, nil, err
	}
	if final {
		return false, &step.Status, nil
	}
	return true, nil, nil
}

// recordFinishedSwitchover puts a switchover's final status into st, for the status write
// that also records the master; finishedSwitchoverEvent tells the user once it is written.
func recordFinishedSwitchover(rf *redisv1alpha1.RedisFailover, finished *redisv1alpha1.SwitchoverStatus) {
	if finished == nil {
		return
	}
	rf.Status.Switchover = finished.DeepCopy()
	meta.SetStatusCondition(&rf.Status.Conditions, switchoverCondition(*finished, rf.Generation))
}

func (r *RedisFailoverReconciler) finishedSwitchoverEvent(rf *redisv1alpha1.RedisFailover, finished *redisv1alpha1.SwitchoverStatus) {
	switch {
	case finished == nil:
	case finished.Phase == redisv1alpha1.SwitchoverSucceeded:
		r.event(rf, corev1.EventTypeNormal, redisv1alpha1.ReasonSwitchoverSucceeded, "Switchover", finished.Result)
	default:
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonSwitchoverFailed, "Switchover", finished.Result)
	}
}

// warnIfMasterStopsWithoutHandover tells the user, on the RedisFailover, when the master's pod
// is terminating (delete, eviction, drain) and no replica can take over: its preStop hook then
// gives up, and the kubelet's FailedPreStopHook Event carries no reason.
func (r *RedisFailoverReconciler) warnIfMasterStopsWithoutHandover(rf *redisv1alpha1.RedisFailover, o *observation, obs switchover.Observation) {
	master, ok := o.topology.Node(obs.Health.Master)
	if !ok || !master.Terminating || o.topology.Verdict().FailingOver {
		return
	}
	if why := switchover.WhyNoHandover(obs); why != "" {
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonMasterStopsWithoutHandover, "Observe", fmt.Sprintf(
			"master %s is terminating and cannot hand over (%s): its preStop hook gives up, and once it is gone the sentinels fail over after down-after-milliseconds, losing what no replica received",
			master.Pod, why))
	}
}

// takeSwitchoverRequest records the annotation's request in status (accepted or rejected),
// then removes the annotation: status holds the request from then on. A request made while
// another switchover runs is refused with an Event and does not touch that one's status.
func (r *RedisFailoverReconciler) takeSwitchoverRequest(ctx context.Context, rf *redisv1alpha1.RedisFailover, requested string, obs switchover.Observation) error {
	if sw := rf.Status.Switchover; sw != nil && sw.Phase == redisv1alpha1.SwitchoverInProgress {
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonSwitchoverRejected, "Switchover", fmt.Sprintf(
			"%s=%s ignored: the switchover requested as %q is still in progress; request again once status.switchover.phase is final",
			redisv1alpha1.AnnotationSwitchover, requested, sw.Requested))
		return r.removeSwitchoverAnnotation(ctx, rf)
	}
	sw := switchover.Accept(requested, obs)
	if err := r.setSwitchoverStatus(ctx, rf, sw); err != nil {
		return err
	}
	if sw.Phase == redisv1alpha1.SwitchoverRejected {
		log.FromContext(ctx).Info("switchover rejected", "requested", requested, "why", sw.Result)
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonSwitchoverRejected, "Switchover", sw.Result)
	} else {
		log.FromContext(ctx).Info("switchover accepted", "requested", requested, "from", sw.From, "target", sw.Target, "sentinel", sw.Sentinel)
		r.event(rf, corev1.EventTypeNormal, redisv1alpha1.ReasonSwitchoverAccepted, "Switchover", sw.Result)
	}
	return r.removeSwitchoverAnnotation(ctx, rf)
}

func (r *RedisFailoverReconciler) removeSwitchoverAnnotation(ctx context.Context, rf *redisv1alpha1.RedisFailover) error {
	patch := client.MergeFrom(rf.DeepCopy())
	delete(rf.Annotations, redisv1alpha1.AnnotationSwitchover)
	if err := r.Patch(ctx, rf, patch); err != nil {
		return fmt.Errorf("removing annotation %s from %s/%s: %w", redisv1alpha1.AnnotationSwitchover, rf.Namespace, rf.Name, err)
	}
	return nil
}

// setSwitchoverStatus writes status.switchover and the Switchover condition.
func (r *RedisFailoverReconciler) setSwitchoverStatus(ctx context.Context, rf *redisv1alpha1.RedisFailover, sw redisv1alpha1.SwitchoverStatus) error {
	if equality.Semantic.DeepEqual(rf.Status.Switchover, &sw) {
		return nil // a wait that changed nothing
	}
	patch := client.MergeFrom(rf.DeepCopy())
	rf.Status.Switchover = sw.DeepCopy()
	meta.SetStatusCondition(&rf.Status.Conditions, switchoverCondition(sw, rf.Generation))
	if err := r.Status().Patch(ctx, rf, patch); err != nil {
		return fmt.Errorf("recording status.switchover of %s/%s: %w", rf.Namespace, rf.Name, err)
	}
	return nil
}

func switchoverCondition(sw redisv1alpha1.SwitchoverStatus, generation int64) metav1.Condition {
	c := metav1.Condition{Type: redisv1alpha1.ConditionSwitchover, ObservedGeneration: generation, Message: sw.Result}
	switch sw.Phase {
	case redisv1alpha1.SwitchoverSucceeded:
		c.Status, c.Reason = metav1.ConditionTrue, redisv1alpha1.ReasonSwitchoverSucceeded
	case redisv1alpha1.SwitchoverFailed:
		c.Status, c.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonSwitchoverFailed
	case redisv1alpha1.SwitchoverRejected:
		c.Status, c.Reason = metav1.ConditionFalse, redisv1alpha1.ReasonSwitchoverRejected
	default:
		c.Status, c.Reason = metav1.ConditionUnknown, redisv1alpha1.ReasonSwitchoverInProgress
	}
	return c
}

// startRolloutSwitchover records the rollout's switchover (the master runs an outdated
// revision) in status.switchover, as a request for "any" replica; the switchover step then
// carries it out like a requested one, and the rollout waits until the old master is a replica.
func (r *RedisFailoverReconciler) startRolloutSwitchover(ctx context.Context, rf *redisv1alpha1.RedisFailover, o *observation, why string) error {
	if switchoverInProgress(rf) {
		return nil
	}
	sw := switchover.Accept(redisv1alpha1.SwitchoverToAny, switchover.Observation{
		Topology: o.topology, Health: topology.Assess(o.topology, o.spec), Quorum: o.spec.Quorum,
		SentinelSeesPriority: -1, Now: time.Now(),
	})
	if sw.Phase != redisv1alpha1.SwitchoverInProgress {
		return fmt.Errorf("rollout switchover: %s", sw.Result)
	}
	sw.Result = "rollout: " + why
	return r.setSwitchoverStatus(ctx, rf, sw)
}

// switchoverInProgress reports whether status holds a switchover that has not ended.
func switchoverInProgress(rf *redisv1alpha1.RedisFailover) bool {
	sw := rf.Status.Switchover
	return sw != nil && sw.Phase == redisv1alpha1.SwitchoverInProgress
}

// switchoverMoved reports whether a master change from from is the work of the switchover in
// status (running, or just ended with success), so that it is recorded as planned.
func switchoverMoved(rf *redisv1alpha1.RedisFailover, from string) bool {
	sw := rf.Status.Switchover
	if sw == nil || sw.From != from {
		return false
	}
	return sw.Phase == redisv1alpha1.SwitchoverInProgress ||
		(sw.Phase == redisv1alpha1.SwitchoverSucceeded && sw.Finished != nil && time.Since(sw.Finished.Time) < switchover.Timeout)
}

// setReplicaPriority changes a node's replica-priority at run time only (CONFIG SET): a
// restarted node gets the rendered config's value back from start.sh.
func setReplicaPriority(ctx context.Context, rc redis.Client, addr string, priority int) error {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout(rc))
	defer cancel()
	c := goredis.NewClient(&goredis.Options{Addr: addr, Password: rc.Password, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
	defer func() { _ = c.Close() }()
	if err := c.ConfigSet(ctx, "replica-priority", strconv.Itoa(priority)).Err(); err != nil {
		return fmt.Errorf("CONFIG SET replica-priority %d on %s: %w", priority, addr, err)
	}
	return nil
}

// sentinelSeesPriority is the replica-priority the sentinel at addr reports for node (SENTINEL
// REPLICAS, field slave-priority), -1 when it cannot tell.
func sentinelSeesPriority(ctx context.Context, rc redis.Client, addr, masterName string, node topology.Node) int {
	if addr == "" {
		return -1
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout(rc))
	defer cancel()
	s := goredis.NewSentinelClient(&goredis.Options{Addr: addr, Password: rc.Password, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
	defer func() { _ = s.Close() }()
	replicas, err := s.Replicas(ctx, masterName).Result()
	if err != nil {
		log.FromContext(ctx).V(1).Info("cannot read the sentinel's replicas", "sentinel", addr, "error", err.Error())
		return -1
	}
	for _, f := range replicas {
		port, _ := strconv.Atoi(f["port"])
		if node.Is(f["ip"], port) {
			if p, err := strconv.Atoi(f["slave-priority"]); err == nil {
				return p
			}
		}
	}
	return -1
}

func redisTimeout(rc redis.Client) time.Duration {
	if rc.Timeout > 0 {
		return rc.Timeout
	}
	return redis.DefaultTimeout
}

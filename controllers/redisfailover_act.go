package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// act carries out the decision's actions. A failed promotion stops everything after it (the other nodes would
// follow a node that is not a master); any other failure is reported and the rest still runs,
// so that one unreachable pod does not stop the healing of the others.
func (r *RedisFailoverReconciler) act(ctx context.Context, rf *redisv1alpha1.RedisFailover, o *observation, d topology.Decision, password string) error {
	rc := redis.Client{Password: password, Timeout: r.RedisTimeout, Renames: render.CommandRenames(rf)}
	defaulted := rf.WithDefaults()
	var errs []error
	for _, a := range d.Actions {
		err := r.do(ctx, rc, defaulted, o, a, password)
		actionsTotal.WithLabelValues(rf.Namespace, rf.Name, string(a.Kind), outcome(err)).Inc()
		if err != nil {
			log.FromContext(ctx).Error(err, "action failed", "action", a.Kind, "why", a.Reason)
			reason := redisv1alpha1.ReasonActionFailed
			if a.Kind == topology.ConfigSet {
				reason = redisv1alpha1.ReasonConfigRefused
			}
			r.event(rf, corev1.EventTypeWarning, reason, string(a.Kind), fmt.Sprintf("%s failed: %v", a, err))
			errs = append(errs, err)
			if a.Kind == topology.Promote {
				break
			}
			continue
		}
		if reason, ok := eventReasons[a.Kind]; ok {
			r.event(rf, eventType(a.Kind), reason, string(a.Kind), a.Reason)
		}
	}
	if len(errs) > 0 {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "act").Inc()
	}
	return errors.Join(errs...)
}

func (r *RedisFailoverReconciler) do(ctx context.Context, rc redis.Client, rf *redisv1alpha1.RedisFailover, o *observation, a topology.Action, password string) error {
	t := o.topology
	master, _ := t.Node(a.Master)
	switch a.Kind {
	case topology.Promote:
		node, _ := t.Node(a.Node)
		return rc.ReplicaOfNoOne(ctx, node.Addr())
	case topology.ReplicaOf:
		node, _ := t.Node(a.Node)
		return rc.ReplicaOf(ctx, node.Addr(), master.IP, master.Port)
	case topology.Label:
		return r.labelPod(ctx, o.redisPods[a.Node], a.Role)
	case topology.Monitor:
		return r.monitor(ctx, rc, rf, sentinelAddr(t, a.Sentinel), master, password)
	case topology.Remonitor:
		addr := sentinelAddr(t, a.Sentinel)
		if err := rc.SentinelRemove(ctx, addr, rf.MasterName()); err != nil {
			return err
		}
		return r.monitor(ctx, rc, rf, addr, master, password)
	case topology.SetOptions:
		return rc.SentinelSet(ctx, sentinelAddr(t, a.Sentinel), rf.MasterName(), sentinelOptions(a.Options))
	case topology.AskFailover:
		return rc.SentinelFailover(ctx, sentinelAddr(t, a.Sentinel), rf.MasterName())
	case topology.Switchover:
		// Recorded in status.switchover and carried out by the switchover step, like a
		// requested one: the intent survives an operator restart.
		return r.startRolloutSwitchover(ctx, rf, o, a.Reason)
	case topology.ConfigSet:
		node, _ := t.Node(a.Node)
		return configSet(ctx, rc, node, a.Config)
	case topology.DeletePod:
		pod := o.redisPods[a.Node]
		if pod == nil {
			return errors.New("pod vanished since it was listed")
		}
		// The UID precondition makes sure the pod deleted is the one that was judged outdated.
		return client.IgnoreNotFound(r.Delete(ctx, pod, client.Preconditions{UID: &pod.UID}))
	}
	return fmt.Errorf("unknown action %q", a.Kind)
}

func (r *RedisFailoverReconciler) monitor(ctx context.Context, rc redis.Client, rf *redisv1alpha1.RedisFailover, addr string, master topology.Node, password string) error {
	rendered, err := render.SentinelMasterOptions(rf)
	if err != nil {
		return fmt.Errorf("sentinel options: %w", err)
	}
	options := make([]redis.SentinelOption, 0, len(rendered)+1)
	for _, o := range rendered {
		options = append(options, redis.SentinelOption{Name: o.Name, Value: o.Value})
	}
	if password != "" {
		options = append(options, redis.SentinelOption{Name: "auth-pass", Value: password})
	}
	return rc.SentinelMonitor(ctx, addr, rf.MasterName(), master.IP, master.Port, int(rf.Spec.Sentinel.EffectiveQuorum()), options)
}

// labelPod sets the role label with a merge patch of that one label, so that it never races
// with other writers of the pod.
func (r *RedisFailoverReconciler) labelPod(ctx context.Context, pod *corev1.Pod, value role.Role) error {
	if pod == nil {
		return errors.New("pod vanished since it was listed")
	}
	patched := pod.DeepCopy()
	if patched.Labels == nil {
		patched.Labels = map[string]string{}
	}
	patched.Labels[redisv1alpha1.LabelRole] = string(value)
	// A pod deleted since it was listed needs no label: its replacement is labelled next time.
	if err := client.IgnoreNotFound(r.Patch(ctx, patched, client.MergeFrom(pod))); err != nil {
		return fmt.Errorf("labelling pod %s %s=%s: %w", pod.Name, redisv1alpha1.LabelRole, value, err)
	}
	return nil
}

// configSet applies each setting on its own, so that one refused value does not hold back the
// others, and names the spec field of every refusal with Redis's own reason. A refusal is not
// retried at once: the reconcile returns the error and controller-runtime backs off
// exponentially, while the Warning Event tells the user which field to fix.
func configSet(ctx context.Context, rc redis.Client, node topology.Node, settings []topology.ConfigSetting) error {
	var errs []error
	for _, c := range settings {
		if err := rc.ConfigSet(ctx, node.Addr(), c.Name, c.Value); err != nil {
			field := c.Field
			if field == "" {
				field = "Redis's default"
			}
			errs = append(errs, fmt.Errorf("%s refused %s %q from %s: %w", node.Pod, c.Name, c.Value, field, err))
		}
	}
	return errors.Join(errs...)
}

func sentinelOptions(options []topology.SentinelOption) []redis.SentinelOption {
	out := make([]redis.SentinelOption, len(options))
	for i, o := range options {
		out[i] = redis.SentinelOption{Name: o.Name, Value: o.Value}
	}
	return out
}

func sentinelAddr(t topology.Topology, pod string) string {
	for _, s := range t.Sentinels {
		if s.Pod == pod {
			return s.Addr()
		}
	}
	return ""
}

func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// plan decides what to do with the pure topology.Plan and logs the decision with its reasons,
// even when it is "nothing" or "wait": a quiet reconcile still explains itself.
func (r *RedisFailoverReconciler) plan(ctx context.Context, o *observation, health topology.Health) topology.Decision {
	d := topology.Plan(o.topology, o.spec, health)
	logger := log.FromContext(ctx)
	if d.Waiting != "" {
		logger.Info("waiting", "master", d.Master, "why", d.Waiting)
	}
	for _, a := range d.Actions {
		logger.Info("planned", "action", a.Kind, "node", a.Node, "sentinel", a.Sentinel, "master", a.Master, "why", a.Reason)
	}
	return d
}

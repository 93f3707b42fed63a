package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// render turns the spec into the objects the operator owns. A spec that got past the schema but
// cannot be rendered stops the reconcile (stop): nothing is applied, the user is told which
// field to fix (Ready=False/InvalidSpec and a Warning Event), and the next spec change triggers
// a new attempt. err is only an error writing that status.
func (r *RedisFailoverReconciler) render(ctx context.Context, rf *redisv1alpha1.RedisFailover) (objects *render.ObjectSet, stop bool, err error) {
	objects, renderErr := render.Objects(rf, r.Render)
	if renderErr == nil {
		return objects, false, nil
	}
	log.FromContext(ctx).Error(renderErr, "spec cannot be rendered")
	r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonInvalidSpec, "Render", renderErr.Error())
	return nil, true, r.setNotReady(ctx, rf, redisv1alpha1.ReasonInvalidSpec, renderErr)
}

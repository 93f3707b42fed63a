package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// apply server-side-applies every rendered object with rf as its controlling owner. Server-side
// apply sends only the fields the operator renders, so defaults filled in by the API server and
// fields other controllers own (the role labels on pods, HPA replicas, ...) never cause a
// fight, and a spec change reaches the objects as a minimal change.
func (r *RedisFailoverReconciler) apply(ctx context.Context, rf *redisv1alpha1.RedisFailover, objects *render.ObjectSet) error {
	err := r.applyAll(ctx, rf, objects)
	if err != nil {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "apply").Inc()
	}
	return err
}

func (r *RedisFailoverReconciler) applyAll(ctx context.Context, rf *redisv1alpha1.RedisFailover, objects *render.ObjectSet) error {
	for _, obj := range objects.All() {
		if err := controllerutil.SetControllerReference(rf, obj, r.Scheme()); err != nil {
			return fmt.Errorf("owning %T %s: %w", obj, obj.GetName(), err)
		}
		patch, err := applyConfiguration(r.Scheme(), obj)
		if err != nil {
			return err
		}
		if err := r.Apply(ctx, patch, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s/%s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetNamespace(), obj.GetName(), err)
		}
	}
	for _, obj := range objects.Absent {
		if err := r.deleteIfOwned(ctx, rf, obj); err != nil {
			return err
		}
	}
	return nil
}

// deleteIfOwned deletes an object the spec no longer wants (a PodDisruptionBudget the spec now
// disables), only if this RedisFailover controls it: an object of the same name someone else
// made is left alone.
func (r *RedisFailoverReconciler) deleteIfOwned(ctx context.Context, rf *redisv1alpha1.RedisFailover, want client.Object) error {
	current, ok := want.DeepCopyObject().(client.Object)
	if !ok {
		return fmt.Errorf("%T is not a client.Object", want)
	}
	if err := r.Get(ctx, client.ObjectKeyFromObject(want), current); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !metav1.IsControlledBy(current, rf) {
		return nil
	}
	uid := current.GetUID()
	if err := r.Delete(ctx, current, client.Preconditions{UID: &uid}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting %s/%s, which the spec disables: %w", current.GetNamespace(), current.GetName(), err)
	}
	return nil
}

// applyConfiguration turns a typed object into an apply patch. Status and server-set metadata
// are dropped: an apply patch that carried them would claim fields the operator does not own.
func applyConfiguration(scheme *runtime.Scheme, obj client.Object) (runtime.ApplyConfiguration, error) {
	gvks, _, err := scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return nil, fmt.Errorf("looking up the kind of %T: %w", obj, err)
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("converting %s %s: %w", gvks[0].Kind, obj.GetName(), err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetGroupVersionKind(gvks[0])
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "creationTimestamp")
	if templates, ok, _ := unstructured.NestedSlice(u.Object, "spec", "volumeClaimTemplates"); ok {
		for _, t := range templates {
			if m, ok := t.(map[string]any); ok {
				delete(m, "status")
				unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
			}
		}
		_ = unstructured.SetNestedSlice(u.Object, templates, "spec", "volumeClaimTemplates")
	}
	return client.ApplyConfigurationFromUnstructured(u), nil
}

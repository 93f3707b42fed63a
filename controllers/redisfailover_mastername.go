package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Two failover groups must never be monitored under one master name in one namespace: a
// sentinel that reaches a pod of the other group (a pod IP reused after a restart) exchanges
// hellos under that name and the sentinels merge the two groups into one (spotahome #550). The
// name defaults to "<namespace>.<metadata.name>", unique in the cluster (a RedisFailover created
// before keeps metadata.name, recorded in status.masterName); a name set in
// spec.sentinel.masterName is claimed by the oldest RedisFailover in the namespace that uses it,
// and the others get nothing applied.

// claimMasterName lets the reconcile go on only when no older RedisFailover in rf's namespace
// has the same master name. Otherwise it reports the conflict (Ready=False/MasterNameConflict
// and a Warning event naming the holder and the fix) and stop is true: the caller must apply
// nothing, so that no sentinel of rf ever monitors the name. A deleted holder wakes rf through
// the watch added by watchMasterNameSharers; the requeue is only a backstop.
func (r *RedisFailoverReconciler) claimMasterName(ctx context.Context, rf *redisv1alpha1.RedisFailover) (res ctrl.Result, stop bool, err error) {
	if cause := masterNameChange(rf); cause != nil {
		log.FromContext(ctx).Info("master name change refused: nothing applied", "masterName", rf.Status.MasterName, "spec", rf.Spec.Sentinel.MasterName)
		if ready := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady); ready == nil ||
			ready.Reason != redisv1alpha1.ReasonMasterNameChanged || ready.Message != cause.Error() {
			r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonMasterNameChanged, "ClaimMasterName", cause.Error())
		}
		if err := r.setNotReady(ctx, rf, redisv1alpha1.ReasonMasterNameChanged, cause); err != nil {
			return ctrl.Result{}, true, err
		}
		return ctrl.Result{RequeueAfter: r.resyncPeriod()}, true, nil
	}
	holder, err := r.masterNameHolder(ctx, rf)
	if err != nil {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "masterName").Inc()
		return ctrl.Result{}, true, err
	}
	if holder == nil {
		return ctrl.Result{}, false, nil
	}
	cause := fmt.Errorf("master name %q is already used by RedisFailover %s in this namespace (created first), and two failover groups monitored under one name can merge: nothing is created for %s; delete it and create it again with a unique spec.sentinel.masterName (or none, to use the default %q)",
		rf.MasterName(), holder.Name, rf.Name, rf.Namespace+"."+rf.Name)
	log.FromContext(ctx).Info("master name conflict: nothing applied", "masterName", rf.MasterName(), "heldBy", holder.Name)
	if ready := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady); ready == nil ||
		ready.Reason != redisv1alpha1.ReasonMasterNameConflict || ready.Message != cause.Error() {
		// Once per new conflict, not once per reconcile.
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonMasterNameConflict, "ClaimMasterName", cause.Error())
	}
	if err := r.setNotReady(ctx, rf, redisv1alpha1.ReasonMasterNameConflict, cause); err != nil {
		return ctrl.Result{}, true, err
	}
	return ctrl.Result{RequeueAfter: r.resyncPeriod()}, true, nil
}

// masterNameChange reports a spec.sentinel.masterName that is not the name in force. The
// schema lets the field be spelled out or removed later only as "<anything>.<metadata.name>" or
// metadata.name (it cannot see the namespace or the status); status.masterName is the name the
// sentinels monitor, and changing it would leave every client asking for a name nobody serves.
func masterNameChange(rf *redisv1alpha1.RedisFailover) error {
	spec, inForce := rf.Spec.Sentinel.MasterName, rf.Status.MasterName
	if spec == "" || inForce == "" || spec == inForce {
		return nil
	}
	return fmt.Errorf("spec.sentinel.masterName %q is not the master name in force %q (status.masterName): the sentinels monitor the master as %q and clients ask for it, so it cannot change; set spec.sentinel.masterName to %q or remove it (to use another name, create a new RedisFailover)",
		spec, inForce, inForce, inForce)
}

// masterNameHolder returns the oldest other RedisFailover in rf's namespace with rf's master
// name if it is older than rf (by creationTimestamp, then by name), or nil. One being deleted
// still counts: its sentinels may still run.
func (r *RedisFailoverReconciler) masterNameHolder(ctx context.Context, rf *redisv1alpha1.RedisFailover) (*redisv1alpha1.RedisFailover, error) {
	var list redisv1alpha1.RedisFailoverList
	if err := r.List(ctx, &list, client.InNamespace(rf.Namespace)); err != nil {
		return nil, fmt.Errorf("listing RedisFailovers in %s to check master name %q is unique: %w", rf.Namespace, rf.MasterName(), err)
	}
	var holder *redisv1alpha1.RedisFailover
	for i := range list.Items {
		other := &list.Items[i]
		if other.UID == rf.UID || other.MasterName() != rf.MasterName() || !createdBefore(other, rf) {
			continue
		}
		if holder == nil || createdBefore(other, holder) {
			holder = other
		}
	}
	return holder, nil
}

// createdBefore orders RedisFailovers by creationTimestamp, then by name: creation timestamps
// have a resolution of one second, and the order must be total so that exactly one of two
// RedisFailovers holds a name.
func createdBefore(a, b *redisv1alpha1.RedisFailover) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Name < b.Name
}

// sharingMasterName maps a RedisFailover to the others in its namespace with the same master
// name, so that deleting the holder of a name lets the next one proceed at once.
func (r *RedisFailoverReconciler) sharingMasterName(ctx context.Context, o client.Object) []reconcile.Request {
	rf, ok := o.(*redisv1alpha1.RedisFailover)
	if !ok {
		return nil
	}
	var list redisv1alpha1.RedisFailoverList
	if err := r.List(ctx, &list, client.InNamespace(rf.Namespace)); err != nil {
		log.FromContext(ctx).Error(err, "listing RedisFailovers sharing a master name", "namespace", rf.Namespace, "masterName", rf.MasterName())
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		if other := &list.Items[i]; other.UID != rf.UID && other.MasterName() == rf.MasterName() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(other)})
		}
	}
	return reqs
}

// watchMasterNameSharers adds the watch that wakes RedisFailovers sharing a master name when
// one of them is created or deleted. Updates are left out: the master name cannot change, and
// most updates are status writes that would wake every sharer on each reconcile.
func (r *RedisFailoverReconciler) watchMasterNameSharers(b *builder.Builder) *builder.Builder {
	return b.Watches(&redisv1alpha1.RedisFailover{}, handler.EnqueueRequestsFromMapFunc(r.sharingMasterName),
		builder.WithPredicates(predicate.Funcs{UpdateFunc: func(event.UpdateEvent) bool { return false }}))
}

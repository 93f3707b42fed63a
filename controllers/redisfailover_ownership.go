package controllers

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// ownedElsewhere is a rendered object's name taken by an object another controller controls.
type ownedElsewhere struct {
	kind, name string
	owner      metav1.OwnerReference
}

// foreignController is the controller of live when that is not the RedisFailover with UID
// ours, nil otherwise (no controller, or ours).
func foreignController(live metav1.Object, ours types.UID) *metav1.OwnerReference {
	ref := metav1.GetControllerOfNoCopy(live)
	if ref == nil || ref.UID == ours {
		return nil
	}
	return ref
}

// describeOwnedElsewhere is the user's message: which objects, whose they are, and the way on.
// spotahome's operator names its objects as this one does (rfr-<name>, rfs-<name>), so a
// RedisFailover of each with the same name in one namespace is the common case.
func describeOwnedElsewhere(conflicts []ownedElsewhere) string {
	var objects []string
	owners := map[string]bool{}
	var ownerList []string
	for _, c := range conflicts {
		objects = append(objects, c.kind+" "+c.name)
		gv, _ := schema.ParseGroupVersion(c.owner.APIVersion)
		owner := c.owner.Kind + "." + gv.Group + " " + c.owner.Name
		if gv.Group == "" {
			owner = c.owner.Kind + " " + c.owner.Name
		}
		if !owners[owner] {
			owners[owner] = true
			ownerList = append(ownerList, owner)
		}
	}
	return fmt.Sprintf("%s already exist and belong to %s: this operator leaves them alone and creates nothing. "+
		"Give this RedisFailover another metadata.name (its objects are named rfr-<name> and rfs-<name>) or create it in another namespace; "+
		"docs/migrating-from-spotahome.md shows a move side by side",
		strings.Join(objects, ", "), strings.Join(ownerList, ", "))
}

// checkOwnership stops the reconcile before anything is applied when a rendered object's name is
// taken by an object another controller controls. Server-side apply with forced ownership would
// otherwise take over its fields, and a second controller reference is refused only after part
// of the objects were applied. It reads the informer cache, which holds every object of the
// kinds the operator owns.
func (r *RedisFailoverReconciler) checkOwnership(ctx context.Context, rf *redisv1alpha1.RedisFailover, objects *render.ObjectSet) (bool, error) {
	var conflicts []ownedElsewhere
	for _, obj := range objects.All() {
		live, ok := obj.DeepCopyObject().(client.Object)
		if !ok {
			return true, fmt.Errorf("%T is not a client.Object", obj)
		}
		if err := r.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return true, fmt.Errorf("reading %s/%s from the cache: %w", obj.GetNamespace(), obj.GetName(), err)
		}
		if ref := foreignController(live, rf.UID); ref != nil {
			kind, err := r.kindOf(obj)
			if err != nil {
				return true, err
			}
			conflicts = append(conflicts, ownedElsewhere{kind: kind, name: obj.GetName(), owner: *ref})
		}
	}
	if len(conflicts) == 0 {
		return false, nil
	}
	if allPredecessor(conflicts, rf) {
		// A RedisFailover of this name was deleted and created again before the garbage
		// collector removed its objects: nothing to fix, only to wait for.
		return true, r.setNotReady(ctx, rf, redisv1alpha1.ReasonReconciling, fmt.Errorf(
			"waiting for the garbage collector to remove the objects of the deleted RedisFailover %s (%s)", rf.Name, conflicts[0].kind+" "+conflicts[0].name))
	}
	msg := describeOwnedElsewhere(conflicts)
	r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonObjectOwnedElsewhere, "Apply", msg)
	return true, r.setNotReady(ctx, rf, redisv1alpha1.ReasonObjectOwnedElsewhere, fmt.Errorf("%s", msg))
}

// allPredecessor says whether every conflicting object belongs to an earlier RedisFailover of the
// same name (same group and name, another UID).
func allPredecessor(conflicts []ownedElsewhere, rf *redisv1alpha1.RedisFailover) bool {
	for _, c := range conflicts {
		if c.owner.APIVersion != redisv1alpha1.GroupVersion.String() || c.owner.Kind != "RedisFailover" || c.owner.Name != rf.Name {
			return false
		}
	}
	return true
}

func (r *RedisFailoverReconciler) kindOf(obj client.Object) (string, error) {
	gvk, err := r.GroupVersionKindFor(obj)
	if err != nil {
		return "", fmt.Errorf("kind of %T: %w", obj, err)
	}
	return gvk.Kind, nil
}

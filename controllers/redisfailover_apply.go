package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// apply server-side-applies every rendered object with rf as its controlling owner. Server-side
// apply sends only the fields the operator renders, so defaults filled in by the API server and
// fields other controllers own (the role labels on pods, HPA replicas, ...) never cause a
// fight, and a spec change reaches the objects as a minimal change.
//
// An object is sent only when something changed since the operator last applied it (see
// appliedObjects): a reconcile runs on every pod and sentinel event, several times a second
// during a failover, and ten no-op patches each time kept the API server busy and delayed the
// role labels that follow +switch-master by the patches' round trips.
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
		key := appliedKey{owner: client.ObjectKeyFromObject(rf), kind: patch.GetKind(), name: patch.GetName()}
		desired, err := contentHash(patch.Object)
		if err != nil {
			return fmt.Errorf("hashing %s %s: %w", key.kind, key.name, err)
		}
		live, err := r.cachedFingerprint(ctx, obj)
		if err != nil {
			return err
		}
		now := time.Now()
		if !r.applied.needsApply(key, desired, live, now, r.resyncPeriod()) {
			continue
		}
		if err := r.Apply(ctx, client.ApplyConfigurationFromUnstructured(patch), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
			r.applied.forgetObject(key)
			return fmt.Errorf("applying %s %s/%s: %w", key.kind, rf.Namespace, key.name, err)
		}
		// The apply answers with the object as stored: remember it as the state this content
		// produced.
		r.applied.record(key, desired, fingerprint(patch), now)
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

// cachedFingerprint is the fingerprint of obj's live copy in the informer cache, "" when the
// cache holds none (not created yet, deleted, or not seen yet).
func (r *RedisFailoverReconciler) cachedFingerprint(ctx context.Context, obj client.Object) (string, error) {
	live, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return "", fmt.Errorf("%T is not a client.Object", obj)
	}
	if err := r.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("reading %s %s/%s from the cache: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetNamespace(), obj.GetName(), err)
	}
	return fingerprint(live), nil
}

// appliedObjects remembers, for every object the operator applied, the content it sent and the
// object's fingerprint in the API server's answer. It is a cache of work done, not intent: an
// operator that restarts with it empty applies everything once, as before.
type appliedObjects struct {
	mu      sync.Mutex
	objects map[appliedKey]appliedState
}

// appliedKey is one object of one RedisFailover (its namespace is the owner's).
type appliedKey struct {
	owner      types.NamespacedName
	kind, name string
}

type appliedState struct {
	content     string    // contentHash of the apply patch
	fingerprint string    // fingerprint of the object the apply returned
	at          time.Time // when it was applied
}

// needsApply decides whether an object is sent: when the operator has not applied this content
// yet, when the object changed since (someone edited or deleted it: its fingerprint moved), and
// in any case once per resync period, so that a change the fingerprint cannot see (another
// manager taking over a field without bumping the generation) is undone within that period.
func (a *appliedObjects) needsApply(key appliedKey, content, live string, now time.Time, resync time.Duration) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	prev, ok := a.objects[key]
	return !ok || prev.content != content || live == "" || prev.fingerprint != live || now.Sub(prev.at) >= resync
}

func (a *appliedObjects) record(key appliedKey, content, fingerprint string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.objects == nil {
		a.objects = map[appliedKey]appliedState{}
	}
	a.objects[key] = appliedState{content: content, fingerprint: fingerprint, at: at}
}

func (a *appliedObjects) forgetObject(key appliedKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.objects, key)
}

// forget drops what was applied for one RedisFailover (it was deleted).
func (a *appliedObjects) forget(rf types.NamespacedName) {
	a.mu.Lock()
	defer a.mu.Unlock()
	maps.DeleteFunc(a.objects, func(k appliedKey, _ appliedState) bool { return k.owner == rf })
}

// fingerprint identifies the state of a live object as far as the operator's apply is
// concerned. Objects with a spec generation (StatefulSet, Deployment, PodDisruptionBudget) get
// status updates all the time, which move the resourceVersion but not the generation: their
// fingerprint is the generation plus the metadata a generation does not count (labels,
// annotations, owners). Objects without one (ConfigMap, Service) change their resourceVersion
// only when edited, so it is their fingerprint.
func fingerprint(o metav1.Object) string {
	if o.GetGeneration() == 0 {
		return "rv:" + o.GetResourceVersion()
	}
	var b strings.Builder
	b.WriteString("gen:" + strconv.FormatInt(o.GetGeneration(), 10))
	for _, m := range []map[string]string{o.GetLabels(), o.GetAnnotations()} {
		b.WriteString("|")
		for _, k := range slices.Sorted(maps.Keys(m)) {
			b.WriteString(k + "=" + m[k] + ";")
		}
	}
	for _, ref := range o.GetOwnerReferences() {
		b.WriteString("|" + string(ref.UID))
	}
	return b.String()
}

// contentHash identifies an apply patch's content (encoding/json sorts map keys, so equal
// content hashes equally).
func contentHash(content map[string]any) (string, error) {
	data, err := json.Marshal(content)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// applyConfiguration turns a typed object into an apply patch. Status and server-set metadata
// are dropped: an apply patch that carried them would claim fields the operator does not own.
func applyConfiguration(scheme *runtime.Scheme, obj client.Object) (*unstructured.Unstructured, error) {
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
	return u, nil
}

//go:build envtest

package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

var spotahomeGVK = schema.GroupVersionKind{Group: "databases.spotahome.com", Version: "v1", Kind: "RedisFailover"}

// installSpotahomeCRD installs spotahome's CRD beside ours, as during a move, and waits until
// the API serves it.
func installSpotahomeCRD(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join("testdata", "spotahome-crd.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &crd.Object); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(ctx, crd); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	poll.Eventually(t, 20*time.Second, "spotahome's CRD to be served", func(context.Context) error {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(spotahomeGVK.GroupVersion().WithKind("RedisFailoverList"))
		return k8s.List(ctx, list)
	})
}

// A spotahome RedisFailover and ours share a name in one namespace, as a user trying both
// would make them: both operators name their objects rfr-<name> and rfs-<name>. Ours must
// leave every object of spotahome's alone and say which object stops it and how to go on.
func TestSpotahomeObjectsOfTheSameNameAreLeftAlone(t *testing.T) {
	ctx := context.Background()
	installSpotahomeCRD(t)
	ns := newNamespace(t)

	theirs := &unstructured.Unstructured{}
	theirs.SetGroupVersionKind(spotahomeGVK)
	theirs.SetNamespace(ns)
	theirs.SetName("cache")
	theirs.Object["spec"] = map[string]any{"redis": map[string]any{"replicas": int64(3)}, "sentinel": map[string]any{"replicas": int64(3)}}
	if err := k8s.Create(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	owner := []metav1.OwnerReference{{APIVersion: spotahomeGVK.GroupVersion().String(), Kind: "RedisFailover", Name: "cache",
		UID: theirs.GetUID(), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}
	// What spotahome's operator creates first: its Redis ConfigMap and StatefulSet, labelled its way.
	labels := map[string]string{"app.kubernetes.io/component": "redis", "app.kubernetes.io/name": "cache", "app.kubernetes.io/part-of": "redis-failover"}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rfr-cache", Labels: labels, OwnerReferences: owner},
		Data: map[string]string{"redis.conf": "slaveof 127.0.0.1 6379\n"}}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rfr-cache", Labels: labels, OwnerReferences: owner},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(int32(3)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "redis", Image: "redis:6.2.6-alpine"}}},
			},
		}}
	for _, o := range []client.Object{cm, sts} {
		if err := k8s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	before := map[string]string{"ConfigMap": cm.ResourceVersion, "StatefulSet": sts.ResourceVersion}

	ours := newRedisFailover(ns, "cache")
	if err := k8s.Create(ctx, ours); err != nil {
		t.Fatal(err)
	}
	var ready *metav1.Condition
	poll.Eventually(t, 20*time.Second, "our RedisFailover to say what stops it", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(ours), got); err != nil {
			return err
		}
		ready = meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
		if ready == nil || ready.Reason != redisv1alpha1.ReasonObjectOwnedElsewhere {
			return fmt.Errorf("Ready condition %+v, want reason %s", ready, redisv1alpha1.ReasonObjectOwnedElsewhere)
		}
		return nil
	})
	for _, want := range []string{"rfr-cache", "RedisFailover.databases.spotahome.com cache", "metadata.name"} {
		if !strings.Contains(ready.Message, want) {
			t.Errorf("Ready message %q does not name %q", ready.Message, want)
		}
	}

	// The condition is set where the reconcile would have applied: nothing of spotahome's changed.
	for kind, obj := range map[string]client.Object{"ConfigMap": &corev1.ConfigMap{}, "StatefulSet": &appsv1.StatefulSet{}} {
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfr-cache"}, obj); err != nil {
			t.Fatal(err)
		}
		if obj.GetResourceVersion() != before[kind] {
			t.Errorf("spotahome's %s rfr-cache changed (resourceVersion %s, was %s): managed fields %v", kind, obj.GetResourceVersion(), before[kind], obj.GetManagedFields())
		}
		if refs := obj.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != theirs.GetUID() {
			t.Errorf("spotahome's %s rfr-cache has owners %+v, want only spotahome's RedisFailover", kind, refs)
		}
	}
}

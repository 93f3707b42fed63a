//go:build envtest

package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func newRedisFailover(ns, name string) *redisv1alpha1.RedisFailover {
	return &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestCreatesOwnedObjectsWithOwnerReferences(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "cache")
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	owned := []struct {
		name string
		obj  client.Object
	}{
		{"rfr-cache", &appsv1.StatefulSet{}}, {"rfs-cache", &appsv1.Deployment{}},
		{"rfr-cache", &corev1.ConfigMap{}}, {"rfs-cache", &corev1.ConfigMap{}},
		{"rfr-cache", &corev1.Service{}}, {"rfs-cache", &corev1.Service{}},
		{"rfrm-cache", &corev1.Service{}}, {"rfrs-cache", &corev1.Service{}},
		{"rfr-cache", &policyv1.PodDisruptionBudget{}}, {"rfs-cache", &policyv1.PodDisruptionBudget{}},
	}
	for _, o := range owned {
		poll.Eventually(t, 10*time.Second, "the owned "+o.name+" to exist", func(context.Context) error {
			if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: o.name}, o.obj); err != nil {
				return fmt.Errorf("%T %s: %w", o.obj, o.name, err)
			}
			ref := metav1.GetControllerOf(o.obj)
			if ref == nil || ref.UID != rf.UID || ref.Kind != "RedisFailover" || !ptr.Deref(ref.BlockOwnerDeletion, false) {
				return fmt.Errorf("%T %s is not controlled by the RedisFailover: %+v", o.obj, o.name, ref)
			}
			return nil
		})
	}

	sts := &appsv1.StatefulSet{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfr-cache"}, sts); err != nil {
		t.Fatal(err)
	}
	if got := ptr.Deref(sts.Spec.Replicas, 0); got != 3 {
		t.Errorf("StatefulSet replicas = %d, want the default 3", got)
	}
	dep := &appsv1.Deployment{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-cache"}, dep); err != nil {
		t.Fatal(err)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != sentinelImage {
		t.Errorf("sentinel image = %q, want the operator's own %q", img, sentinelImage)
	}
	pdb := &policyv1.PodDisruptionBudget{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfr-cache"}, pdb); err != nil {
		t.Fatal(err)
	}
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("Redis PDB maxUnavailable = %v, want 1", pdb.Spec.MaxUnavailable)
	}
	master := &corev1.Service{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfrm-cache"}, master); err != nil {
		t.Fatal(err)
	}
	if master.Spec.Selector[redisv1alpha1.LabelRole] != string(role.Master) {
		t.Errorf("master Service selector %v does not select the master role", master.Spec.Selector)
	}
}

func TestSpecChangesPropagate(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "grow")
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	key := types.NamespacedName{Namespace: ns, Name: "rfr-grow"}
	poll.Eventually(t, 10*time.Second, "the deleted StatefulSet to be recreated", func(context.Context) error { return k8s.Get(ctx, key, &appsv1.StatefulSet{}) })

	// Someone edits an owned object by hand: the operator, watching what it owns, puts its
	// fields back.
	cm := &corev1.ConfigMap{}
	if err := k8s.Get(ctx, key, cm); err != nil {
		t.Fatal(err)
	}
	original := cm.Data["redis.conf"]
	edited := cm.DeepCopy()
	edited.Data["redis.conf"] = "port 1\n"
	if err := k8s.Patch(ctx, edited, client.MergeFrom(cm)); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the hand-edited ConfigMap to be put back", func(context.Context) error {
		if err := k8s.Get(ctx, key, cm); err != nil {
			return err
		}
		if cm.Data["redis.conf"] != original {
			return fmt.Errorf("redis.conf still edited by hand: %q", cm.Data["redis.conf"])
		}
		return nil
	})

	// Merge patches, not updates: the operator writes the status concurrently.
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
		t.Fatal(err)
	}
	changed := rf.DeepCopy()
	changed.Spec.Redis.Replicas = 5
	changed.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 100mb"}
	changed.Spec.Sentinel.Replicas = 5
	if err := k8s.Patch(ctx, changed, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the StatefulSet to follow the changed spec", func(context.Context) error {
		sts := &appsv1.StatefulSet{}
		if err := k8s.Get(ctx, key, sts); err != nil {
			return err
		}
		if got := ptr.Deref(sts.Spec.Replicas, 0); got != 5 {
			return fmt.Errorf("StatefulSet replicas = %d, want 5", got)
		}
		dep := &appsv1.Deployment{}
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-grow"}, dep); err != nil {
			return err
		}
		if got := ptr.Deref(dep.Spec.Replicas, 0); got != 5 {
			return fmt.Errorf("sentinel Deployment replicas = %d, want 5", got)
		}
		cm := &corev1.ConfigMap{}
		if err := k8s.Get(ctx, key, cm); err != nil {
			return err
		}
		if conf := cm.Data["redis.conf"]; !strings.Contains(conf, "maxmemory 100mb") || conf == original {
			return fmt.Errorf("redis.conf does not carry the new customConfig:\n%s", conf)
		}
		return nil
	})
}

// Without a kubelet no pod runs, so no node answers: the status must say there is no master,
// never Ready, and still report what it knows (generation, master name, sentinel summary).
func TestStatusSaysNoMasterTruthfully(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "empty")
	rf.Spec.Sentinel.MasterName = "empty-master"
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the status of an empty RedisFailover", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		st := got.Status
		if st.ObservedGeneration != got.Generation {
			return fmt.Errorf("observedGeneration %d, generation %d", st.ObservedGeneration, got.Generation)
		}
		ready := meta.FindStatusCondition(st.Conditions, redisv1alpha1.ConditionReady)
		master := meta.FindStatusCondition(st.Conditions, redisv1alpha1.ConditionMasterAvailable)
		sentinels := meta.FindStatusCondition(st.Conditions, redisv1alpha1.ConditionSentinelsAgree)
		if ready == nil || master == nil || sentinels == nil {
			return fmt.Errorf("conditions missing: %+v", st.Conditions)
		}
		if ready.Status != metav1.ConditionFalse || ready.Reason != redisv1alpha1.ReasonNoMaster {
			return fmt.Errorf("Ready = %s/%s (%s), want False/NoMaster", ready.Status, ready.Reason, ready.Message)
		}
		if master.Status != metav1.ConditionFalse || master.Reason != redisv1alpha1.ReasonNoMaster {
			return fmt.Errorf("MasterAvailable = %s/%s, want False/NoMaster", master.Status, master.Reason)
		}
		if sentinels.Reason != redisv1alpha1.ReasonQuorumUnreachable {
			return fmt.Errorf("SentinelsAgree reason = %s (%s), want QuorumUnreachable", sentinels.Reason, sentinels.Message)
		}
		if st.Master != nil || st.MasterName != "empty-master" || st.Sentinels.Summary != "0/3" || st.Sentinels.Quorum != 2 {
			return fmt.Errorf("status fields: master=%v masterName=%q sentinels=%+v", st.Master, st.MasterName, st.Sentinels)
		}
		return nil
	})

	// The domain metrics say the same, on controller-runtime's registry (served on /metrics).
	for name, want := range map[string]float64{"redisfailover_has_master": 0, "redisfailover_ready": 0, "redisfailover_replicas_expected": 2} {
		got, err := gauge(name, ns, "empty")
		if err != nil {
			t.Error(err)
		} else if got != want {
			t.Errorf("%s{namespace=%q,name=\"empty\"} = %v, want %v", name, ns, got, want)
		}
	}
}

func gauge(family, ns, name string) (float64, error) {
	families, err := metrics.Registry.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["namespace"] == ns && labels["name"] == name {
				return m.GetGauge().GetValue(), nil
			}
		}
	}
	return 0, fmt.Errorf("no %s series for %s/%s", family, ns, name)
}

func TestMissingAuthSecretIsReported(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "locked")
	rf.Spec.Auth.SecretPath = "no-such-secret"
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 15*time.Second, "the status to name the missing auth Secret", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != "SecretUnreadable" || !strings.Contains(ready.Message, "no-such-secret") {
			return fmt.Errorf("Ready = %+v, want False/SecretUnreadable naming the Secret", ready)
		}
		var list eventsv1.EventList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range list.Items {
			if e.Reason == "SecretUnreadable" && e.Regarding.Name == "locked" && strings.Contains(e.Note, "no-such-secret") {
				return nil
			}
		}
		return fmt.Errorf("no SecretUnreadable event naming the Secret among %d events", len(list.Items))
	})
}

// The operator sends an object only when something changed since it last applied it; an
// object someone else edits or deletes must still come back as rendered, at the next reconcile
// its change triggers.
func TestEditedOrDeletedObjectsAreRestored(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "cache")
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	cmKey := types.NamespacedName{Namespace: ns, Name: "rfr-cache"}
	var rendered corev1.ConfigMap
	poll.Eventually(t, 10*time.Second, "the Redis ConfigMap", func(context.Context) error {
		return k8s.Get(ctx, cmKey, &rendered)
	})
	poll.Eventually(t, 10*time.Second, "the StatefulSet and the master Service", func(context.Context) error {
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfr-cache"}, &appsv1.StatefulSet{}); err != nil {
			return err
		}
		return k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfrm-cache"}, &corev1.Service{})
	})

	edited := rendered.DeepCopy()
	for k := range edited.Data {
		edited.Data[k] = "# edited by hand\n"
	}
	if err := k8s.Update(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rfrm-cache"}}); err != nil {
		t.Fatal(err)
	}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rfr-cache"}}
	if err := k8s.Patch(ctx, sts, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"replicas":5}}`))); err != nil {
		t.Fatal(err)
	}

	poll.Eventually(t, 10*time.Second, "the edited ConfigMap, the deleted Service and the scaled StatefulSet back as rendered", func(context.Context) error {
		var cm corev1.ConfigMap
		if err := k8s.Get(ctx, cmKey, &cm); err != nil {
			return err
		}
		for k, v := range rendered.Data {
			if cm.Data[k] != v {
				return fmt.Errorf("ConfigMap key %s still edited: %q", k, cm.Data[k])
			}
		}
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfrm-cache"}, &corev1.Service{}); err != nil {
			return fmt.Errorf("master Service: %w", err)
		}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(sts), sts); err != nil {
			return err
		}
		if got := ptr.Deref(sts.Spec.Replicas, 0); got != 3 {
			return fmt.Errorf("StatefulSet replicas %d, want 3", got)
		}
		return nil
	})
}

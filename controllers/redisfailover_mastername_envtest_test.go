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
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// Two RedisFailovers in one namespace with the same master name: the older keeps it, the newer
// gets nothing applied and a condition and event saying why and what to do; once the older is
// gone, the newer proceeds without waiting for a resync.
func TestSecondRedisFailoverWithTheSameMasterNameGetsNothing(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	// "first" sorts before "second", so first is the older even if both are created within the
	// same second (creation timestamps have a resolution of one second).
	first := newRedisFailover(ns, "first")
	first.Spec.Sentinel.MasterName = "shared"
	if err := k8s.Create(ctx, first); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "first's sentinel Deployment", func(context.Context) error {
		return k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-first"}, &appsv1.Deployment{})
	})
	second := newRedisFailover(ns, "second")
	second.Spec.Sentinel.MasterName = "shared"
	if err := k8s.Create(ctx, second); err != nil {
		t.Fatal(err)
	}

	poll.Eventually(t, 10*time.Second, "second to report the master name taken", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(second), got); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != redisv1alpha1.ReasonMasterNameConflict {
			return fmt.Errorf("Ready = %+v, want False/MasterNameConflict", ready)
		}
		for _, want := range []string{`"shared"`, "RedisFailover first", "spec.sentinel.masterName"} {
			if !strings.Contains(ready.Message, want) {
				return fmt.Errorf("Ready message %q does not contain %q", ready.Message, want)
			}
		}
		var list eventsv1.EventList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range list.Items {
			if e.Reason == "MasterNameConflict" && e.Type == corev1.EventTypeWarning && e.Regarding.Name == "second" && strings.Contains(e.Note, "RedisFailover first") {
				return nil
			}
		}
		return fmt.Errorf("no Warning MasterNameConflict event for second naming first among %d events", len(list.Items))
	})

	// The conflict is decided before anything is applied, in every reconcile of second, so by
	// now none of its objects exists; first's do.
	if n := ownedObjects(t, ns, "second"); n != 0 {
		t.Errorf("%d objects were created for the RedisFailover refused for its master name", n)
	}
	if n := ownedObjects(t, ns, "first"); n != 11 {
		t.Errorf("the RedisFailover holding the master name has %d objects, want all 11", n)
	}
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(first), got); err != nil {
		t.Fatal(err)
	}
	if ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady); ready == nil || ready.Reason == redisv1alpha1.ReasonMasterNameConflict {
		t.Errorf("the older RedisFailover's Ready = %+v, want a reconciled status without a conflict", ready)
	}

	// The holder goes: the watch on RedisFailover deletions wakes second well before the
	// 60 s resync, and it proceeds under the name.
	if err := k8s.Delete(ctx, first); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "second to proceed once first is gone", func(context.Context) error {
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-second"}, &appsv1.Deployment{}); err != nil {
			return fmt.Errorf("second's sentinel Deployment: %w", err)
		}
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(second), got); err != nil {
			return err
		}
		if ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady); ready == nil || ready.Reason == redisv1alpha1.ReasonMasterNameConflict {
			return fmt.Errorf("second's Ready = %+v, want the conflict cleared", ready)
		}
		if got.Status.MasterName != "shared" {
			return fmt.Errorf("second's status.masterName = %q, want shared", got.Status.MasterName)
		}
		return nil
	})
}

// Unset, the master name is "<namespace>.<name>", so any number of RedisFailovers without
// masterName share a namespace (and a cluster); a masterName equal to another's default name
// still conflicts.
func TestMasterNameDefaultsToTheNamespacedName(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	for _, name := range []string{"alpha", "beta"} {
		if err := k8s.Create(ctx, newRedisFailover(ns, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"alpha", "beta"} {
		poll.Eventually(t, 10*time.Second, "the RedisFailover "+name+" to be reconciled", func(context.Context) error {
			got := &redisv1alpha1.RedisFailover{}
			if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, got); err != nil {
				return err
			}
			ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
			if ready == nil || ready.Reason == redisv1alpha1.ReasonMasterNameConflict {
				return fmt.Errorf("%s: Ready = %+v, want a reconciled status without a conflict", name, ready)
			}
			if got.Status.MasterName != ns+"."+name {
				return fmt.Errorf("%s: status.masterName = %q, want %s.%s", name, got.Status.MasterName, ns, name)
			}
			if n := ownedObjects(t, ns, name); n != 11 {
				return fmt.Errorf("%s has %d objects, want 11", name, n)
			}
			return nil
		})
	}

	gamma := newRedisFailover(ns, "gamma")
	gamma.Spec.Sentinel.MasterName = ns + ".alpha"
	if err := k8s.Create(ctx, gamma); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "gamma to report the master name taken", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(gamma), got); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
		if ready == nil || ready.Reason != redisv1alpha1.ReasonMasterNameConflict || !strings.Contains(ready.Message, "RedisFailover alpha") {
			return fmt.Errorf("gamma: Ready = %+v, want MasterNameConflict naming alpha", ready)
		}
		return nil
	})
	if n := ownedObjects(t, ns, "gamma"); n != 0 {
		t.Errorf("%d objects were created for gamma, whose masterName is alpha's default name", n)
	}

	// The schema lets "<anything>.alpha" be spelled out on alpha (it cannot see the namespace):
	// the operator refuses a name that is not the one in force and changes nothing.
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "alpha"}, got); err != nil {
		t.Fatal(err)
	}
	got.Spec.Sentinel.MasterName = "elsewhere.alpha"
	if err := k8s.Update(ctx, got); err != nil {
		t.Fatalf("spelling out another namespace's name: %v", err)
	}
	poll.Eventually(t, 10*time.Second, "alpha to refuse the changed master name", func(context.Context) error {
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "alpha"}, got); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady)
		if ready == nil || ready.Reason != redisv1alpha1.ReasonMasterNameChanged || !strings.Contains(ready.Message, `set spec.sentinel.masterName to "`+ns+`.alpha"`) {
			return fmt.Errorf("alpha: Ready = %+v, want MasterNameChanged naming the name in force", ready)
		}
		if got.Status.MasterName != ns+".alpha" {
			return fmt.Errorf("status.masterName = %q, want it kept", got.Status.MasterName)
		}
		return nil
	})
	var dep appsv1.Deployment
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-alpha"}, &dep); err != nil {
		t.Fatal(err)
	}
	if cmd := strings.Join(dep.Spec.Template.Spec.Containers[0].Command, " "); !strings.Contains(cmd, "--discover-master "+ns+".alpha ") {
		t.Errorf("the sentinels' command changed with the refused name: %s", cmd)
	}
}

// ownedObjects counts the objects the operator renders for the RedisFailover called name:
// ConfigMaps, Services, the StatefulSet, the Deployment and PDBs (11 in all).
func ownedObjects(t *testing.T, ns, name string) int {
	t.Helper()
	sel := client.MatchingLabels{redisv1alpha1.LabelInstance: name, redisv1alpha1.LabelManagedBy: redisv1alpha1.LabelManagedByValue}
	n := 0
	for _, list := range []client.ObjectList{&corev1.ConfigMapList{}, &corev1.ServiceList{}, &appsv1.StatefulSetList{}, &appsv1.DeploymentList{}, &policyv1.PodDisruptionBudgetList{}} {
		if err := k8s.List(context.Background(), list, client.InNamespace(ns), sel); err != nil {
			t.Fatal(err)
		}
		n += meta.LenList(list)
	}
	return n
}

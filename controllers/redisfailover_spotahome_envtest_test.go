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
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// spotahome's disablePodDisruptionBudget: turning it on deletes the budgets the operator made,
// turning it off brings them back.
func TestDisablePodDisruptionBudgetDeletesTheBudgets(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "nopdb")
	rf.Spec.Redis.Storage.PersistentVolumeClaim = &redisv1alpha1.EmbeddedPersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
	}}
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	pdbs := []types.NamespacedName{{Namespace: ns, Name: "rfr-nopdb"}, {Namespace: ns, Name: "rfs-nopdb"}}
	exist := func(want bool) func(context.Context) error {
		return func(context.Context) error {
			for _, key := range pdbs {
				err := k8s.Get(ctx, key, &policyv1.PodDisruptionBudget{})
				switch {
				case want && err != nil:
					return fmt.Errorf("%s: %w", key, err)
				case !want && err == nil:
					return fmt.Errorf("%s still exists", key)
				case !want && !apierrors.IsNotFound(err):
					return err
				}
			}
			return nil
		}
	}
	poll.Eventually(t, 10*time.Second, "the budgets to be created", exist(true))

	patch := func(disable bool) {
		t.Helper()
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			t.Fatal(err)
		}
		changed := got.DeepCopy()
		changed.Spec.Redis.DisablePodDisruptionBudget = disable
		changed.Spec.Sentinel.DisablePodDisruptionBudget = disable
		if err := k8s.Patch(ctx, changed, client.MergeFrom(got)); err != nil {
			t.Fatal(err)
		}
	}
	patch(true)
	poll.Eventually(t, 10*time.Second, "the disabled budgets to be deleted", exist(false))
	patch(false)
	poll.Eventually(t, 10*time.Second, "the budgets to come back", exist(true))
}

// A spotahome manifest's sentinel image and command are accepted, do nothing, and the status says
// so; the sentinels run the operator's image.
func TestIgnoredSpotahomeFieldsAreReported(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rf := newRedisFailover(ns, "ignored")
	rf.Spec.Sentinel.Image = "redis:6.2.6-alpine"
	rf.Spec.Sentinel.Command = []string{"redis-server", "/redis/sentinel.conf", "--sentinel"}
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the IgnoredFields condition", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		c := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionIgnoredFields)
		if c == nil || c.Status != metav1.ConditionTrue || c.Reason != redisv1alpha1.ReasonFieldsIgnored ||
			!strings.Contains(c.Message, "spec.sentinel.image redis:6.2.6-alpine") || !strings.Contains(c.Message, "spec.sentinel.command") {
			return fmt.Errorf("IgnoredFields = %+v", c)
		}
		return nil
	})
	dep := &appsv1.Deployment{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "rfs-ignored"}, dep); err != nil {
		t.Fatal(err)
	}
	if c := dep.Spec.Template.Spec.Containers[0]; c.Image == rf.Spec.Sentinel.Image || c.Command[0] != "redis-failover" {
		t.Errorf("sentinel container runs %s %v, want the operator's image and command", c.Image, c.Command)
	}

	// Removing the fields clears the condition.
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
		t.Fatal(err)
	}
	changed := got.DeepCopy()
	changed.Spec.Sentinel.Image, changed.Spec.Sentinel.Command = "", nil
	if err := k8s.Patch(ctx, changed, client.MergeFrom(got)); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the IgnoredFields condition to clear", func(context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionIgnoredFields); c == nil || c.Status != metav1.ConditionFalse {
			return fmt.Errorf("IgnoredFields = %+v", c)
		}
		return nil
	})
}

//go:build envtest

package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// The switchover flow against a real API server. envtest runs no pods, so no Redis node
// answers: every request meets a RedisFailover without a master, which is what the rejections
// and the timeout below rely on. The switchovers themselves run in the e2e tests.

func annotateSwitchover(t *testing.T, rf *redisv1alpha1.RedisFailover, value string) {
	t.Helper()
	ctx := context.Background()
	poll.Eventually(t, 10*time.Second, "the switchover annotation to be set", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		patch := client.MergeFrom(got.DeepCopy())
		if got.Annotations == nil {
			got.Annotations = map[string]string{}
		}
		got.Annotations[redisv1alpha1.AnnotationSwitchover] = value
		return k8s.Patch(ctx, got, patch)
	})
}

// waitSwitchoverStatus waits until the annotation is gone and status.switchover satisfies check.
func waitSwitchoverStatus(t *testing.T, rf *redisv1alpha1.RedisFailover, check func(*redisv1alpha1.RedisFailover) error) *redisv1alpha1.RedisFailover {
	t.Helper()
	got := &redisv1alpha1.RedisFailover{}
	poll.Eventually(t, 20*time.Second, "the annotation to be taken into status.switchover", func(context.Context) error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		if v, ok := got.Annotations[redisv1alpha1.AnnotationSwitchover]; ok {
			return fmt.Errorf("annotation still there: %q", v)
		}
		if got.Status.Switchover == nil {
			return fmt.Errorf("no status.switchover")
		}
		return check(got)
	})
	return got
}

func waitEvent(t *testing.T, rf *redisv1alpha1.RedisFailover, reason string, contains ...string) {
	t.Helper()
	poll.Eventually(t, 15*time.Second, "the switchover Event", func(context.Context) error {
		var list eventsv1.EventList
		if err := k8s.List(context.Background(), &list, client.InNamespace(rf.Namespace)); err != nil {
			return err
		}
	events:
		for _, e := range list.Items {
			if e.Reason != reason || e.Regarding.Name != rf.Name {
				continue
			}
			for _, c := range contains {
				if !strings.Contains(e.Note, c) {
					continue events
				}
			}
			return nil
		}
		return fmt.Errorf("no %s event on %s containing %q among %d events", reason, rf.Name, contains, len(list.Items))
	})
}

func phaseIs(phase redisv1alpha1.SwitchoverPhase, result ...string) func(*redisv1alpha1.RedisFailover) error {
	return func(rf *redisv1alpha1.RedisFailover) error {
		sw := rf.Status.Switchover
		if sw.Phase != phase {
			return fmt.Errorf("phase %s (%s), want %s", sw.Phase, sw.Result, phase)
		}
		for _, r := range result {
			if !strings.Contains(sw.Result, r) {
				return fmt.Errorf("result %q lacks %q", sw.Result, r)
			}
		}
		return nil
	}
}

func TestSwitchoverRequestsAreValidatedAndRejectedWithTheReason(t *testing.T) {
	cases := []struct {
		name, value string
		result      []string
	}{
		{name: "a pod that does not exist", value: "rfr-cache-9",
			result: []string{"redis.failover.dev/switchover=rfr-cache-9 names no Redis pod of this RedisFailover", `set it to "any"`, "nothing was done"}},
		{name: "any without a master", value: "any", result: []string{"cannot switch over now: no node is a writable master", "nothing was done"}},
		{name: "an empty value", value: "", result: []string{"redis.failover.dev/switchover is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rf := newRedisFailover(newNamespace(t), "cache")
			if err := k8s.Create(context.Background(), rf); err != nil {
				t.Fatal(err)
			}
			annotateSwitchover(t, rf, tc.value)
			got := waitSwitchoverStatus(t, rf, phaseIs(redisv1alpha1.SwitchoverRejected, tc.result...))
			sw := got.Status.Switchover
			if sw.Requested != tc.value || sw.Started == nil || sw.Finished == nil || sw.Attempts != 0 || sw.Asked != nil {
				t.Errorf("a rejected request is final and nothing was asked: %+v", sw)
			}
			c := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionSwitchover)
			if c == nil || c.Status != metav1.ConditionFalse || c.Reason != redisv1alpha1.ReasonSwitchoverRejected || c.Message != sw.Result {
				t.Errorf("Switchover condition = %+v, want False/%s with the result", c, redisv1alpha1.ReasonSwitchoverRejected)
			}
			waitEvent(t, rf, "SwitchoverRejected", tc.result...)
		})
	}
}

// An operator restarted mid-switchover has nothing in memory: status.switchover (written here
// as the previous operator process would have) is all it knows. This one was accepted 2 min
// ago, asked once, and the master it moves away from has since disappeared: the operator must
// read it back and report it as failed with the reason, not forget it or leave it running.
func TestSwitchoverInProgressIsReadBackFromStatus(t *testing.T) {
	ctx := context.Background()
	rf := newRedisFailover(newNamespace(t), "cache")
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	started, asked := metav1.NewTime(time.Now().Add(-2*time.Minute)), metav1.NewTime(time.Now().Add(-110*time.Second))
	poll.Eventually(t, 10*time.Second, "status.switchover to be written", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		got.Status.Switchover = &redisv1alpha1.SwitchoverStatus{Requested: "any", From: "rfr-cache-0", Sentinel: "rfs-cache-abc",
			Phase: redisv1alpha1.SwitchoverInProgress, Started: &started, Asked: &asked, Attempts: 1, Result: "asked sentinel rfs-cache-abc"}
		return k8s.Status().Update(ctx, got)
	})
	got := waitSwitchoverStatus(t, rf, phaseIs(redisv1alpha1.SwitchoverFailed, "not done within 1m0s", "1 requests to sentinel rfs-cache-abc", "no node is a writable master"))
	if sw := got.Status.Switchover; sw.Finished == nil || sw.Requested != "any" || sw.From != "rfr-cache-0" {
		t.Errorf("the failed switchover should keep its request and be finished: %+v", sw)
	}
	c := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionSwitchover)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != redisv1alpha1.ReasonSwitchoverFailed {
		t.Errorf("Switchover condition = %+v, want False/%s", c, redisv1alpha1.ReasonSwitchoverFailed)
	}
	waitEvent(t, rf, "SwitchoverFailed", "not done within")
}

// A second request while one is in progress is refused with an Event and leaves the running
// one's status alone.
func TestSwitchoverRequestDuringAnotherIsRefused(t *testing.T) {
	ctx := context.Background()
	rf := newRedisFailover(newNamespace(t), "cache")
	if err := k8s.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	started := metav1.NewTime(time.Now().Truncate(time.Second)) // status keeps whole seconds
	poll.Eventually(t, 10*time.Second, "status.switchover to be written", func(context.Context) error {
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return err
		}
		got.Status.Switchover = &redisv1alpha1.SwitchoverStatus{Requested: "rfr-cache-1", Target: "rfr-cache-1", From: "rfr-cache-0",
			Phase: redisv1alpha1.SwitchoverInProgress, Started: &started}
		return k8s.Status().Update(ctx, got)
	})
	annotateSwitchover(t, rf, "any")
	waitEvent(t, rf, "SwitchoverRejected", "redis.failover.dev/switchover=any ignored", `requested as "rfr-cache-1" is still in progress`)
	waitSwitchoverStatus(t, rf, func(got *redisv1alpha1.RedisFailover) error {
		sw := got.Status.Switchover
		if sw.Requested != "rfr-cache-1" || sw.Phase != redisv1alpha1.SwitchoverInProgress || !sw.Started.Equal(&started) {
			return fmt.Errorf("the running switchover was replaced: %+v", sw)
		}
		return nil
	})
}

package e2e

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// The master's pod is deleted with no grace period, as a node failure or `kubectl delete pod
// --force` does: its address vanishes without closing a connection. The sentinels must promote
// a replica with every acknowledged write, and the labels follow.
func TestMasterPodForceDeletedLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-forcedel")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "fd", "")
	rf := waitReady(t, f, ns, "fd")
	old := rf.Status.Master.Pod

	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-fd", MasterName: rf.MasterName()})
	switches := watchSwitchMaster(t, sentinelAddrs(t, f, ns, "fd"))

	pod := &corev1.Pod{}
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: old}, pod); err != nil {
		t.Fatal(err)
	}
	deleted := w.Mark("master pod force-deleted")
	if err := f.Client.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
		t.Fatalf("deleting %s: %v", old, err)
	}
	var newMaster string
	framework.WaitFor(ctx, t, 2*time.Minute, "another pod to be labelled master", func(ctx context.Context) (bool, error) {
		var masters corev1.PodList
		if err := f.Client.List(ctx, &masters, client.InNamespace(ns), client.MatchingLabels{
			redisv1alpha1.LabelInstance: "fd", redisv1alpha1.LabelRole: string(role.Master)}); err != nil {
			return false, err
		}
		if len(masters.Items) != 1 || masters.Items[0].Name == old {
			return false, fmt.Errorf("pods labelled master: %v", podNames(masters.Items))
		}
		newMaster = masters.Items[0].Name
		return true, nil
	})
	labelled := time.Now()
	t.Logf("master label moved from %s to %s", old, newMaster)
	w.WaitWritesAfter(ctx, labelled, time.Minute)
	if v := w.StopAndVerify(ctx); len(v.Lost) == 0 {
		logFailoverFigures(t, "forced deletion", downAfterMs(t, f, ns, "fd"), w.GapAround(deleted).Duration(), deleted, switches.first(), labelled)
	}
	waitReady(t, f, ns, "fd")
}

// logFailoverFigures logs the figures of one unplanned failover: the writer's gap around the
// fault, when the first +switch-master reached a subscriber, and how long the master label
// took after it (measured by polling, so an upper bound).
func logFailoverFigures(t *testing.T, what string, downAfterMs int32, gap time.Duration, fault, switched, labelled time.Time) {
	t.Helper()
	sw := "no +switch-master seen"
	if !switched.IsZero() {
		sw = fmt.Sprintf("+switch-master %s after the fault, master label %s after +switch-master",
			switched.Sub(fault).Round(time.Millisecond), labelled.Sub(switched).Round(time.Millisecond))
	}
	t.Logf("%s (down-after %dms): write gap %s; %s", what, downAfterMs, gap.Round(time.Millisecond), sw)
}

// sentinelAddrs are the sentinel pods' addresses, which the test process reaches directly.
func sentinelAddrs(t *testing.T, f *framework.Framework, ns, instance string) []string {
	t.Helper()
	var addrs []string
	for _, ip := range podIPs(t, f, ns, instance, redisv1alpha1.ComponentSentinel) {
		addrs = append(addrs, net.JoinHostPort(ip, "26379"))
	}
	if len(addrs) == 0 {
		t.Fatalf("no sentinel pods of %s", instance)
	}
	return addrs
}

func downAfterMs(t *testing.T, f *framework.Framework, ns, name string) int32 {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{}
	if err := f.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, rf); err != nil {
		t.Fatal(err)
	}
	return rf.Spec.Sentinel.EffectiveDownAfterMilliseconds()
}

// switchMasterWatch records when the first +switch-master reached any of the sentinels'
// subscribers, as a client subscribed to one of them would learn it.
type switchMasterWatch struct {
	mu sync.Mutex
	at time.Time
}

func watchSwitchMaster(t *testing.T, addrs []string) *switchMasterWatch {
	t.Helper()
	w := &switchMasterWatch{}
	for _, a := range addrs {
		c := redis.NewSentinelClient(&redis.Options{Addr: a})
		sub := c.Subscribe(context.Background(), "+switch-master")
		if _, err := sub.Receive(t.Context()); err != nil {
			t.Fatalf("SUBSCRIBE +switch-master on %s: %v", a, err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range sub.Channel() {
				w.mu.Lock()
				if w.at.IsZero() {
					w.at = time.Now()
				}
				w.mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			_ = sub.Close()
			_ = c.Close()
			<-done
		})
	}
	return w
}

func (w *switchMasterWatch) first() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at
}

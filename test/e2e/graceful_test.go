package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// Stopping the master gracefully, the two ways a user or kubectl drain does it: `kubectl delete
// pod`, then an eviction through the PodDisruptionBudget (kubectl drain evicts; on the single
// node of the test bed the master pod is evicted alone). Each time the preStop hook hands the
// master role to a replica through the sentinels before the kubelet stops Redis, and a checking
// writer through the sentinels loses no acknowledged write. That the hook did it, and not the
// sentinels' failover after the pod was gone, shows in the sentinels' log: only a requested
// failover pauses the master (+failover-state-pause-master), and nothing else requests one.
func TestGracefulMasterStopHandsOverWithoutLoss(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-graceful")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "gr", "")
	rf := waitReady(t, f, ns, "gr")
	writer := startWriter(t, f, rf, "")

	deleted := rf.Status.Master.Pod
	writer.Mark("master pod " + deleted + " deleted")
	if err := f.Client.Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: deleted}}); err != nil {
		t.Fatal(err)
	}
	rf = waitHandedOver(t, f, rf, deleted)
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)

	evicted := rf.Status.Master.Pod
	writer.Mark("master pod " + evicted + " evicted")
	framework.WaitFor(ctx, t, time.Minute, "the PDB to allow evicting "+evicted, func(ctx context.Context) (bool, error) {
		err := f.Clientset.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: evicted}})
		// 429 while the PDB counts a pod as disrupted (the recreated one becoming Ready).
		return err == nil, err
	})
	rf = waitHandedOver(t, f, rf, evicted)
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)

	v := writer.StopAndVerify(ctx)
	if v.Master != rf.Status.Master.IP+":6379" {
		t.Errorf("the sentinels name %s master, the status %s", v.Master, rf.Status.Master.IP)
	}
	paused, err := sentinelLogsContain(ctx, f, ns, "gr", "+failover-state-pause-master")
	if err != nil || !paused {
		t.Errorf("no sentinel logged +failover-state-pause-master (%v): the master was not handed over by its preStop hook", err)
	}
}

// waitHandedOver waits until another pod is the master, the stopped pod is back as its replica
// and the RedisFailover is Ready, and checks the record of the change.
func waitHandedOver(t *testing.T, f *framework.Framework, rf *redisv1alpha1.RedisFailover, stopped string) *redisv1alpha1.RedisFailover {
	t.Helper()
	ctx := t.Context()
	framework.WaitFor(ctx, t, 2*time.Minute, stopped+" to come back as a replica of a new master", func(ctx context.Context) (bool, error) {
		got := &redisv1alpha1.RedisFailover{}
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
			return false, err
		}
		if got.Status.Master == nil || got.Status.Master.Pod == stopped {
			return false, fmt.Errorf("master %+v", got.Status.Master)
		}
		info, err := redisCLI(ctx, f, rf.Namespace, stopped, "INFO", "replication")
		if err != nil {
			return false, err
		}
		if host, _ := infoField(info, "master_host"); host != got.Status.Master.IP {
			return false, fmt.Errorf("%s follows %q, not the master %s", stopped, host, got.Status.Master.IP)
		}
		return true, nil
	})
	got := waitReady(t, f, rf.Namespace, rf.Name)
	if lf := got.Status.LastFailover; lf == nil || lf.From != stopped || lf.To != got.Status.Master.Pod {
		t.Errorf("lastFailover = %+v, want from %s to %s", lf, stopped, got.Status.Master.Pod)
	}
	t.Logf("master moved from %s to %s", stopped, got.Status.Master.Pod)
	return got
}

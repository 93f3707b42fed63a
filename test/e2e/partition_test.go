package e2e

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// Split brain, bounded: the master pod is cut off from every other pod (the writer on the node
// still reaches it) while the writer writes. The sentinels promote a replica; the isolated
// master, with the default min-replicas-to-write 1, refuses writes once its replicas' lag passes
// minReplicasMaxLag; after the partition heals exactly one master remains and the old one
// follows it. The acknowledged writes lost are those the old master took after it was cut off,
// which must not exceed what was acknowledged in the max-lag window.
func TestPartitionedMasterStopsWritingAndRejoinsAsAReplica(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-split")
	ctx := t.Context()
	ctrAddress, err := framework.ContainerdAddress()
	if err != nil {
		t.Fatal(err)
	}
	createRedisFailover(t, f, ns, "split", "")
	rf := waitReady(t, f, ns, "split")
	if got := rf.Spec.Redis.EffectiveMinReplicasToWrite(); got != 1 {
		t.Fatalf("min-replicas-to-write in effect %d with %d nodes, want the default 1", got, rf.Spec.Redis.Replicas)
	}
	maxLag := time.Duration(rf.Spec.Redis.MinReplicasMaxLag) * time.Second
	old := rf.Status.Master.Pod
	var master corev1.Pod
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: old}, &master); err != nil {
		t.Fatal(err)
	}
	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-split", MasterName: rf.MasterName()})

	cut, heal, err := framework.PartitionPod(ctx, ctrAddress, &master, "redis")
	if err != nil {
		t.Fatal(err)
	}
	healed := false
	t.Cleanup(func() {
		if !healed {
			_ = heal(context.Background())
		}
	})
	w.Mark("master " + old + " partitioned")

	// From the node the old master is still reachable: it must start refusing writes once its
	// replicas' lag passes max-lag (Redis checks once a second).
	direct := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(master.Status.PodIP, "6379"), MaxRetries: -1})
	t.Cleanup(func() { _ = direct.Close() })
	var refused time.Time
	framework.WaitFor(ctx, t, maxLag+time.Minute, "the partitioned master to refuse writes", func(ctx context.Context) (bool, error) {
		err := direct.Set(ctx, "split-probe", time.Now().String(), 0).Err()
		if err != nil && strings.Contains(err.Error(), "NOREPLICAS") {
			refused = time.Now()
			return true, nil
		}
		return false, fmt.Errorf("SET on the partitioned master: %v", err)
	})
	// Redis counts a replica's lag in whole seconds since its last ACK (sent every second), must
	// see it exceed max-lag, and checks once a second: up to 2 s past max-lag, and the probe's
	// own pace on top.
	if d := refused.Sub(cut); d > maxLag+3*time.Second {
		t.Errorf("the partitioned master refused writes %s after the partition, want within minReplicasMaxLag %s (+ Redis's whole-second lag and once-a-second check)", d.Round(time.Millisecond), maxLag)
	}

	// The sentinels promote a replica; the writer follows it.
	var promoted string
	framework.WaitFor(ctx, t, 2*time.Minute, "the sentinels to name another master", func(ctx context.Context) (bool, error) {
		for _, addr := range sentinelAddrs(t, f, ns, "split") {
			sc := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
			a, err := sc.GetMasterAddrByName(ctx, rf.MasterName()).Result()
			_ = sc.Close()
			if err != nil {
				continue // the partitioned side, or a sentinel not answering
			}
			if a[0] != master.Status.PodIP {
				promoted = a[0]
				return true, nil
			}
		}
		return false, fmt.Errorf("no sentinel names another master than %s", master.Status.PodIP)
	})
	w.WaitWritesAfter(ctx, time.Now(), time.Minute)

	if err := heal(ctx); err != nil {
		t.Fatal(err)
	}
	healed = true
	w.Mark("partition healed")
	// Exactly one master: the old one follows the promoted one.
	framework.WaitFor(ctx, t, 2*time.Minute, "the old master to follow "+promoted, func(ctx context.Context) (bool, error) {
		info, err := direct.Info(ctx, "replication").Result()
		if err != nil {
			return false, err
		}
		if !strings.Contains(info, "role:slave") || !strings.Contains(info, "master_host:"+promoted) || !strings.Contains(info, "master_link_status:up") {
			return false, fmt.Errorf("old master's INFO: %s", strings.ReplaceAll(info, "\r\n", " "))
		}
		return true, nil
	})
	waitReady(t, f, ns, "split")

	// Verified by hand rather than StopAndVerify, which fails on any loss: here a bounded
	// loss is the expected outcome.
	w.Stop()
	framework.WaitFor(ctx, t, time.Minute, "the sentinels to agree on the final master", func(ctx context.Context) (bool, error) {
		v, err := w.Verify(ctx)
		if err != nil {
			return false, err
		}
		window := 0
		for _, wr := range w.Writes() {
			if !wr.Acked.IsZero() && !wr.Acked.Before(cut) && wr.Acked.Before(cut.Add(maxLag)) {
				window++
			}
		}
		t.Logf("partition: %d acknowledged writes checked on %s, %d lost; %d acknowledged in the max-lag window (%s); "+
			"writes refused by the old master %s after the cut; write gap around the cut %s",
			v.Checked, v.Master, len(v.Lost), window, maxLag, refused.Sub(cut).Round(time.Millisecond),
			w.GapAround(cut).Duration().Round(time.Millisecond))
		if len(v.Lost) > window {
			t.Errorf("%d acknowledged writes lost, more than the %d acknowledged within minReplicasMaxLag of the partition", len(v.Lost), window)
		}
		// Before the cut, replication is asynchronous but this fast: a write acknowledged more
		// than a second before it had reached the replicas.
		for _, l := range v.Lost {
			if l.Acked.Before(cut.Add(-time.Second)) {
				t.Errorf("acknowledged write %d (%s), %s before the partition, was lost", l.Seq, l.Acked.Format("15:04:05.000"), cut.Sub(l.Acked).Round(time.Millisecond))
			}
		}
		return true, nil
	})
}

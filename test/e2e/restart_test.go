package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// restartedKeys is how many keys are written before the master's container is killed.
const restartedKeys = 500

// The master's redis container dies and the kubelet restarts it in the same pod (same IP, same
// master label), as after an OOM kill or a crash: redis-server is SIGKILLed through containerd,
// exits without writing a snapshot, and comes back empty. The peers' failure: the
// empty node answers as master, the sentinels see it answer and do not fail over, and the
// replicas resync from it and drop their data. Here it must come back fenced (never answering
// a read with nothing), a replica with the data must be promoted, and the restarted node must
// rejoin as its replica with every acknowledged key.
func TestMasterContainerRestartedInPlaceLosesNoData(t *testing.T) {
	t.Parallel()
	ctrAddress, err := framework.ContainerdAddress()
	if err != nil {
		t.Fatal(err)
	}
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-restart")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "rip", "")
	rf := waitReady(t, f, ns, "rip")
	old := rf.Status.Master.Pod

	script := "for i=1," + strconv.Itoa(restartedKeys) + " do redis.call('SET', 'key:'..i, i) end return 'done'"
	// Acknowledged by both replicas: whatever happens to the master now, the data exists.
	if out, acked, err := evalAndWait(ctx, f, ns, old, script, 2, 10000); err != nil || out != "done" || acked != 2 {
		t.Fatalf("writing %d keys on %s: %q, %d replicas acknowledged, %v; want both replicas", restartedKeys, old, out, acked, err)
	}

	before := &corev1.Pod{}
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: old}, before); err != nil {
		t.Fatal(err)
	}
	restarts := redisRestarts(before)
	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-rip", MasterName: rf.MasterName()})
	switches := watchSwitchMaster(t, sentinelAddrs(t, f, ns, "rip"))
	killed := w.Mark("master's redis-server killed (SIGKILL), restarting in place")
	if err := framework.KillContainer(ctx, ctrAddress, before, "redis"); err != nil {
		t.Fatal(err)
	}

	framework.WaitFor(ctx, t, 2*time.Minute, "the redis container of "+old+" to restart in place", func(ctx context.Context) (bool, error) {
		p := &corev1.Pod{}
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: old}, p); err != nil {
			return false, err
		}
		if p.UID != before.UID || p.Status.PodIP != before.Status.PodIP {
			return false, fmt.Errorf("the pod was replaced (uid %s ip %s), the test needs a restart in place", p.UID, p.Status.PodIP)
		}
		if redisRestarts(p) <= restarts {
			return false, fmt.Errorf("restart count still %d", redisRestarts(p))
		}
		return true, nil
	})

	// Until another pod carries the master label, the restarted node must never answer a read
	// with nothing: it either refuses (fenced) or, once it follows the new master, has the data.
	var newMaster string
	framework.WaitFor(ctx, t, 2*time.Minute, "another pod to be labelled master", func(ctx context.Context) (bool, error) {
		res, err := f.Exec(ctx, ns, old, "redis", "redis-cli", "GET", "key:1")
		if err == nil && res.Stdout == "\n" {
			t.Fatalf("the restarted %s answered GET key:1 with nil: it serves an empty dataset", old)
		}
		var masters corev1.PodList
		if err := f.Client.List(ctx, &masters, client.InNamespace(ns), client.MatchingLabels{
			redisv1alpha1.LabelInstance: "rip", redisv1alpha1.LabelRole: string(role.Master)}); err != nil {
			return false, err
		}
		if len(masters.Items) != 1 || masters.Items[0].Name == old {
			return false, fmt.Errorf("pods labelled master: %v; GET key:1 on %s: %q", podNames(masters.Items), old, res.Stdout+res.Stderr)
		}
		newMaster = masters.Items[0].Name
		return true, nil
	})
	labelled := time.Now()
	t.Logf("master label moved from the restarted %s to %s %.1fs after the kill", old, newMaster, labelled.Sub(killed).Seconds())
	w.WaitWritesAfter(ctx, labelled, time.Minute)
	if v := w.StopAndVerify(ctx); len(v.Lost) == 0 {
		logFailoverFigures(t, "crash in place", downAfterMs(t, f, ns, "rip"), w.GapAround(killed).Duration(), killed, switches.first(), labelled)
	}

	rf = waitReady(t, f, ns, "rip")
	t.Logf("Ready again %.1fs after the kill", time.Since(killed).Seconds())
	if rf.Status.Master.Pod == old {
		t.Errorf("the restarted, empty %s is master again", old)
	}
	info, err := redisCLI(ctx, f, ns, old, "INFO", "replication")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := infoField(info, "role"); role != "slave" {
		t.Errorf("the restarted %s reports role %q, want a replica", old, role)
	}
	if host, _ := infoField(info, "master_host"); host != rf.Status.Master.IP {
		t.Errorf("the restarted %s follows %q, want the master %s", old, host, rf.Status.Master.IP)
	}
	if link, _ := infoField(info, "master_link_status"); link != "up" {
		t.Errorf("the restarted %s has its master link %q, want up", old, link)
	}
	count := "local n=0 for i=1," + strconv.Itoa(restartedKeys) + " do if redis.call('GET', 'key:'..i) == tostring(i) then n=n+1 end end return n"
	for _, n := range rf.Status.Nodes {
		framework.WaitFor(ctx, t, 30*time.Second, "every acknowledged key on "+n.Pod, func(ctx context.Context) (bool, error) {
			// EVAL_RO runs on replicas too.
			out, err := redisCLI(ctx, f, ns, n.Pod, "EVAL_RO", count, "0")
			if err != nil {
				return false, err
			}
			if out != strconv.Itoa(restartedKeys) {
				return false, fmt.Errorf("%s holds %s of the %d acknowledged keys", n.Pod, out, restartedKeys)
			}
			return true, nil
		})
	}
}

func redisRestarts(p *corev1.Pod) int32 { return framework.ContainerRestarts(p, "redis") }

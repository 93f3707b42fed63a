package controllers

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

func observedPod(name, ip string) corev1.Pod {
	return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Status: corev1.PodStatus{PodIP: ip}}
}

// The observer against real servers modelled as pods (one port, one loopback address each): a
// master, its replica, a third node hung in DEBUG SLEEP and a real redis-sentinel monitoring the
// master. The hung node must cost only its own entry, and what the servers said must reach the
// plan converted faithfully.
func TestObserveRealServersWithOneHung(t *testing.T) {
	ctx := context.Background()
	hosts := []string{"127.0.0.21", "127.0.0.22", "127.0.0.23"}
	p := redistest.FreePort(t, hosts[0])
	m := redistest.StartServer(t, redistest.ServerOptions{Host: hosts[0], Port: p, RequirePass: "pw", MasterAuth: "pw"})
	redistest.StartServer(t, redistest.ServerOptions{Host: hosts[1], Port: p, RequirePass: "pw", MasterAuth: "pw", Directives: []string{fmt.Sprintf("replicaof %s %d", m.Host(), p)}})
	hung := redistest.StartServer(t, redistest.ServerOptions{Host: hosts[2], Port: p, RequirePass: "pw", MasterAuth: "pw", Directives: []string{"enable-debug-command local"}})
	s := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Host: "127.0.0.24", RequirePass: "pw"})
	c := redis.Client{Password: "pw", Timeout: 500 * time.Millisecond}
	if err := c.SentinelMonitor(ctx, s.Addr(), "rf-a", m.Host(), p, 1, []redis.SentinelOption{{Name: "auth-pass", Value: "pw"}}); err != nil {
		t.Fatal(err)
	}

	go func() { _ = hung.Client().Do(context.Background(), "DEBUG", "SLEEP", "10").Err() }()
	o := observer{client: c, redisPort: p, sentinelPort: s.Port(), masterName: "rf-a"}
	redisPods := []corev1.Pod{observedPod("rfr-a-0", hosts[0]), observedPod("rfr-a-1", hosts[1]), observedPod("rfr-a-2", hosts[2]), observedPod("rfr-a-3", "")}
	sentinelPods := []corev1.Pod{observedPod("rfs-a-x", s.Host())}

	var topo topology.Topology
	poll.Eventually(t, 10*time.Second, "the replica to link up while the hung node stays silent", func(context.Context) error {
		topo = o.topology(ctx, redisPods, sentinelPods)
		if r := topo.Nodes[1].Replication; !r.MasterLinkUp {
			return fmt.Errorf("replica not linked yet: %+v (err %q)", r, topo.Nodes[1].Err)
		}
		if topo.Nodes[2].Err == "" {
			return fmt.Errorf("the hung node still answered")
		}
		return nil
	})

	if !topo.Nodes[0].IsMaster() || !topo.Nodes[1].Follows(topo.Nodes[0]) {
		t.Errorf("master/replica not observed despite one hung node: %+v / %+v", topo.Nodes[0], topo.Nodes[1])
	}
	if topo.Nodes[3].Reachable() || topo.Nodes[3].Err == "" {
		t.Errorf("a pod without IP must be recorded unreachable with a reason: %+v", topo.Nodes[3])
	}
	if sn := topo.Sentinels[0]; !sn.Monitors || sn.View.Master.IP != m.Host() || sn.View.Master.Quorum != 1 || sn.View.Master.FailingOver {
		t.Errorf("sentinel view not observed: %+v", sn)
	}
	spec := topology.Spec{MasterName: "rf-a", Nodes: 4, Sentinels: 1, Quorum: 1,
		DownAfterMilliseconds: 5000, FailoverTimeout: 10000, ParallelSyncs: 1}
	d := topology.Plan(topo, spec, topology.Assess(topo, spec))
	if d.Master != "rfr-a-0" {
		t.Errorf("plan master = %q (waiting %q), want rfr-a-0", d.Master, d.Waiting)
	}
	for _, a := range d.Actions {
		if a.Kind == topology.ReplicaOf || a.Kind == topology.Promote {
			t.Errorf("plan acts on replication with only reachable, healthy nodes: %v", a)
		}
	}
}

package topology

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/failover-dev/redis-failover-operator/internal/redis"
)

// Observer asks every Redis pod and every sentinel pod, all at once, each call bounded by the
// client's timeout: one hung pod costs one timeout for its own entry and nothing for the others.
type Observer struct {
	Client       redis.Client
	RedisPort    int
	SentinelPort int
	MasterName   string
	// LabelRole is the pod label that carries the role (read into Node.RoleLabel).
	LabelRole string
	// UpdateRevision is the StatefulSet's status.updateRevision; pods whose
	// controller-revision-hash label differs are Outdated. Empty: none is.
	UpdateRevision string
}

// Observe builds the Topology of the given pods. It never fails: what could not be learned is
// recorded per node (Err) for the plan and the status to reason about.
func (o Observer) Observe(ctx context.Context, redisPods, sentinelPods []corev1.Pod) Topology {
	t := Topology{Nodes: make([]Node, len(redisPods)), Sentinels: make([]Sentinel, len(sentinelPods))}
	var wg sync.WaitGroup
	for i := range redisPods {
		t.Nodes[i] = o.node(&redisPods[i])
		if t.Nodes[i].Err != "" {
			continue
		}
		wg.Go(func() {
			info, err := o.Client.Info(ctx, t.Nodes[i].Addr())
			if err != nil {
				t.Nodes[i].Err = err.Error()
				return
			}
			t.Nodes[i].Info = info
		})
	}
	for i := range sentinelPods {
		p := &sentinelPods[i]
		t.Sentinels[i] = Sentinel{Pod: p.Name, IP: p.Status.PodIP, Port: o.SentinelPort}
		if p.Status.PodIP == "" {
			t.Sentinels[i].Err = "pod has no IP yet"
			continue
		}
		wg.Go(func() {
			view, err := o.Client.SentinelView(ctx, t.Sentinels[i].Addr(), o.MasterName)
			switch {
			case errors.Is(err, redis.ErrNotMonitored):
			case err != nil:
				t.Sentinels[i].Err = err.Error()
			default:
				t.Sentinels[i].Monitors, t.Sentinels[i].View = true, view
			}
		})
	}
	wg.Wait()
	return t
}

func (o Observer) node(p *corev1.Pod) Node {
	n := Node{
		Pod:         p.Name,
		Ordinal:     ordinal(p.Name),
		IP:          p.Status.PodIP,
		Port:        o.RedisPort,
		RoleLabel:   p.Labels[o.LabelRole],
		Terminating: p.DeletionTimestamp != nil,
		Outdated:    o.UpdateRevision != "" && p.Labels[appsv1.ControllerRevisionHashLabelKey] != o.UpdateRevision,
		Unready:     !podIsReady(p),
	}
	if sub := p.Spec.Subdomain; sub != "" {
		host := p.Name
		if p.Spec.Hostname != "" {
			host = p.Spec.Hostname
		}
		base := host + "." + sub + "." + p.Namespace + ".svc"
		n.Hostnames = []string{host + "." + sub, base, base + ".cluster.local"}
	}
	if n.IP == "" {
		n.Err = "pod has no IP yet"
	}
	return n
}

func podIsReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// ordinal is the StatefulSet ordinal at the end of a pod name, or -1.
func ordinal(pod string) int {
	i := strings.LastIndexByte(pod, '-')
	if i < 0 {
		return -1
	}
	n, err := strconv.Atoi(pod[i+1:])
	if err != nil {
		return -1
	}
	return n
}

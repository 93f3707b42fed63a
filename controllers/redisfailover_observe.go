package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// observation is one reconcile's view of a RedisFailover: the spec as topology reasons about it,
// what the pods and their servers said, and the pods themselves for the actions that patch or
// delete them.
type observation struct {
	spec      topology.Spec
	topology  topology.Topology
	redisPods map[string]*corev1.Pod
	// pods says which pods do not run and why (podsCondition), from the pods' own status.
	pods metav1.Condition
	// at is when the observation started: a master change it shows cannot be the result of a
	// switchover requested after it.
	at time.Time
}

// observe lists the pods and asks every Redis node and sentinel (concurrently, each call
// bounded). It fails only when the API server cannot be read; what a pod or server could not
// tell is recorded in the topology for the plan and the status to reason about.
func (r *RedisFailoverReconciler) observe(ctx context.Context, rf *redisv1alpha1.RedisFailover, password string) (*observation, error) {
	o, err := r.observeOnce(ctx, rf, password)
	if err != nil {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "observe").Inc()
	}
	return o, err
}

func (r *RedisFailoverReconciler) observeOnce(ctx context.Context, rf *redisv1alpha1.RedisFailover, password string) (*observation, error) {
	at := time.Now()
	defaulted := rf.WithDefaults()
	redisPods, err := r.listPods(ctx, rf, render.RedisSelector(rf))
	if err != nil {
		return nil, err
	}
	sentinelPods, err := r.listPods(ctx, rf, render.SentinelSelector(rf))
	if err != nil {
		return nil, err
	}
	// A sentinel on its way out is neither asked nor configured: it is being replaced.
	sentinelPods = slices.DeleteFunc(sentinelPods, func(p corev1.Pod) bool { return p.DeletionTimestamp != nil })

	updateRevision, err := r.updateRevision(ctx, rf)
	if err != nil {
		return nil, err
	}
	spec, err := topologySpec(defaulted)
	if err != nil {
		return nil, err
	}
	// Only this project's sentinel pauses the old master's writes in SENTINEL FAILOVER.
	spec.SwitchoverPausesWrites = r.Render.SentinelImplementation != render.SentinelImplementationRedisSentinel
	ask := observer{
		client:         redis.Client{Password: password, Timeout: r.RedisTimeout, Renames: render.CommandRenames(rf)},
		redisPort:      int(defaulted.Spec.Redis.Port),
		sentinelPort:   redisv1alpha1.SentinelPort,
		masterName:     defaulted.MasterName(),
		updateRevision: updateRevision,
		configNames:    spec.ConfigNames(),
	}
	o := &observation{
		spec:      spec,
		topology:  ask.topology(ctx, redisPods, sentinelPods),
		redisPods: map[string]*corev1.Pod{},
		pods:      podsCondition(redisPods, sentinelPods, updateRevision),
		at:        at,
	}
	for i := range redisPods {
		o.redisPods[redisPods[i].Name] = &redisPods[i]
	}
	return o, nil
}

// updateRevision is the Redis StatefulSet's update revision, "" while it has none yet.
func (r *RedisFailoverReconciler) updateRevision(ctx context.Context, rf *redisv1alpha1.RedisFailover) (string, error) {
	sts := &appsv1.StatefulSet{}
	err := r.Get(ctx, client.ObjectKey{Namespace: rf.Namespace, Name: render.RedisName(rf)}, sts)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("getting StatefulSet %s: %w", render.RedisName(rf), err)
	}
	// Until the StatefulSet controller has seen the current spec, its revisions are stale.
	if sts.Status.ObservedGeneration < sts.Generation {
		return "", nil
	}
	return sts.Status.UpdateRevision, nil
}

func (r *RedisFailoverReconciler) listPods(ctx context.Context, rf *redisv1alpha1.RedisFailover, selector map[string]string) ([]corev1.Pod, error) {
	var pods corev1.PodList
	if err := r.List(ctx, &pods, client.InNamespace(rf.Namespace), client.MatchingLabels(selector)); err != nil {
		return nil, fmt.Errorf("listing pods of %s/%s: %w", rf.Namespace, rf.Name, err)
	}
	// Sorted so that plans, logs and status read the same way on every reconcile.
	slices.SortFunc(pods.Items, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return pods.Items, nil
}

func topologySpec(rf *redisv1alpha1.RedisFailover) (topology.Spec, error) {
	s := rf.Spec.Sentinel
	live, err := render.RedisLiveSettings(rf)
	if err != nil {
		return topology.Spec{}, fmt.Errorf("live settings: %w", err)
	}
	config := make([]topology.ConfigSetting, len(live))
	for i, l := range live {
		config[i] = topology.ConfigSetting{Name: l.Directive, Value: l.Value, Field: l.Field}
	}
	return topology.Spec{
		MasterName:            rf.MasterName(),
		Nodes:                 int(rf.Spec.Redis.Replicas),
		Sentinels:             int(s.Replicas),
		Quorum:                int(s.EffectiveQuorum()),
		DownAfterMilliseconds: int(s.EffectiveDownAfterMilliseconds()),
		FailoverTimeout:       int(s.EffectiveFailoverTimeout()),
		ParallelSyncs:         int(s.EffectiveParallelSyncs()),
		LiveConfig:            config,
	}, nil
}

func (o *observation) sentinelAddrs() []string {
	var addrs []string
	for _, s := range o.topology.Sentinels {
		if s.IP != "" {
			addrs = append(addrs, s.Addr())
		}
	}
	return addrs
}

// observer asks every Redis pod and every sentinel pod, all at once, each call bounded by the
// client's timeout: one hung pod costs one timeout for its own entry and nothing for the others.
type observer struct {
	client       redis.Client
	redisPort    int
	sentinelPort int
	masterName   string
	// updateRevision is the StatefulSet's status.updateRevision; pods whose
	// controller-revision-hash label differs are Outdated. Empty: none is.
	updateRevision string
	// configNames are the settings read with CONFIG GET for the plan to compare.
	configNames []string
}

// topology builds the Topology of the given pods. It never fails: what could not be learned is
// recorded per node and sentinel (Err).
func (o observer) topology(ctx context.Context, redisPods, sentinelPods []corev1.Pod) topology.Topology {
	t := topology.Topology{Nodes: make([]topology.Node, len(redisPods)), Sentinels: make([]topology.Sentinel, len(sentinelPods))}
	var wg sync.WaitGroup
	for i := range redisPods {
		t.Nodes[i] = o.node(&redisPods[i])
		if t.Nodes[i].Err != "" {
			continue
		}
		wg.Go(func() {
			info, err := o.client.Info(ctx, t.Nodes[i].Addr())
			if err != nil {
				t.Nodes[i].Err = err.Error()
				return
			}
			t.Nodes[i].Replication = replication(info.Replication)
			// A node whose settings cannot be read keeps Config nil: nothing is compared, so
			// nothing is set on it until a later reconcile reads them.
			if config, err := o.client.ConfigGet(ctx, t.Nodes[i].Addr(), o.configNames...); err == nil {
				t.Nodes[i].Config = config
			}
		})
	}
	for i := range sentinelPods {
		p := &sentinelPods[i]
		t.Sentinels[i] = topology.Sentinel{Pod: p.Name, IP: p.Status.PodIP, Port: o.sentinelPort}
		if p.Status.PodIP == "" {
			t.Sentinels[i].Err = "pod has no IP yet"
			continue
		}
		wg.Go(func() {
			view, err := o.client.SentinelView(ctx, t.Sentinels[i].Addr(), o.masterName)
			switch {
			case errors.Is(err, redis.ErrNotMonitored):
			case err != nil:
				t.Sentinels[i].Err = err.Error()
			default:
				t.Sentinels[i].Monitors, t.Sentinels[i].View = true, sentinelView(view)
			}
		})
	}
	wg.Wait()
	return t
}

func (o observer) node(p *corev1.Pod) topology.Node {
	n := topology.Node{
		Pod:         p.Name,
		Ordinal:     ordinal(p.Name),
		IP:          p.Status.PodIP,
		Port:        o.redisPort,
		RoleLabel:   role.Role(p.Labels[redisv1alpha1.LabelRole]),
		Terminating: p.DeletionTimestamp != nil,
		Outdated:    o.updateRevision != "" && p.Labels[appsv1.ControllerRevisionHashLabelKey] != o.updateRevision,
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

// replication keeps what the decisions need of a node's INFO replication section.
func replication(r redis.Replication) topology.Replication {
	return topology.Replication{
		Role:                 r.Role,
		MasterHost:           r.MasterHost,
		MasterPort:           r.MasterPort,
		MasterLinkUp:         r.MasterLinkUp,
		MasterSyncInProgress: r.MasterSyncInProgress,
		ReplicaOffset:        r.ReplicaOffset,
		MasterReplOffset:     r.MasterReplOffset,
		ReplicaPriority:      r.ReplicaPriority,
	}
}

// sentinelView keeps what the decisions need of a sentinel's view, its flags read as booleans.
func sentinelView(v redis.SentinelView) topology.SentinelView {
	m := v.Master
	return topology.SentinelView{
		Master: topology.SentinelMaster{
			IP: m.IP, Port: m.Port, FailingOver: m.FailoverInProgress(),
			Down:   m.HasFlag("s_down") || m.HasFlag("o_down"),
			Quorum: m.Quorum, DownAfterMilliseconds: m.DownAfterMilliseconds,
			FailoverTimeout: m.FailoverTimeout, ParallelSyncs: m.ParallelSyncs,
		},
		Replicas:  sentinelPeers(v.Replicas),
		Sentinels: sentinelPeers(v.Sentinels),
	}
}

func sentinelPeers(peers []redis.SentinelPeer) []topology.SentinelPeer {
	if peers == nil {
		return nil
	}
	out := make([]topology.SentinelPeer, len(peers))
	for i, p := range peers {
		out[i] = topology.SentinelPeer{IP: p.IP, Port: p.Port, Down: p.Down(), Priority: p.Priority}
	}
	return out
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

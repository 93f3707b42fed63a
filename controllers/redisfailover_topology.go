package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// observation is one reconcile's view of a RedisFailover and the plan made from it.
type observation struct {
	spec      topology.Spec
	topology  topology.Topology
	plan      topology.Plan
	redisPods map[string]*corev1.Pod
}

// observe lists the pods, asks every Redis node and sentinel (concurrently, each call bounded),
// and decides what to do. The decision is logged with its reasons even when it is "nothing".
func (r *RedisFailoverReconciler) observe(ctx context.Context, rf *redisv1alpha1.RedisFailover, password string) (*observation, error) {
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
	observer := topology.Observer{
		UpdateRevision: updateRevision,
		Client:         redis.Client{Password: password, Timeout: r.RedisTimeout},
		RedisPort:      int(defaulted.Spec.Redis.Port),
		SentinelPort:   redisv1alpha1.SentinelPort,
		MasterName:     defaulted.MasterName(),
		LabelRole:      redisv1alpha1.LabelRole,
	}
	o := &observation{
		spec:      topologySpec(defaulted),
		topology:  observer.Observe(ctx, redisPods, sentinelPods),
		redisPods: map[string]*corev1.Pod{},
	}
	for i := range redisPods {
		o.redisPods[redisPods[i].Name] = &redisPods[i]
	}
	o.plan = topology.Decide(o.topology, o.spec)

	logger := log.FromContext(ctx)
	if o.plan.Waiting != "" {
		logger.Info("waiting", "master", o.plan.Master, "why", o.plan.Waiting)
	}
	for _, a := range o.plan.Actions {
		logger.Info("planned", "action", a.Kind, "node", a.Node, "sentinel", a.Sentinel, "master", a.Master, "why", a.Reason)
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

func topologySpec(rf *redisv1alpha1.RedisFailover) topology.Spec {
	s := rf.Spec.Sentinel
	return topology.Spec{
		MasterName:            rf.MasterName(),
		Nodes:                 int(rf.Spec.Redis.Replicas),
		Sentinels:             int(s.Replicas),
		Quorum:                int(s.EffectiveQuorum()),
		DownAfterMilliseconds: int(s.DownAfterMilliseconds),
		FailoverTimeout:       int(s.FailoverTimeout),
		ParallelSyncs:         int(s.ParallelSyncs),
	}
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

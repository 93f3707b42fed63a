package controllers

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
)

// sentinelChannels are the sentinel events after which the topology may have changed. A
// failover that moves no pod (a network partition, a hung master) produces no Pod event, so
// without these the labels and the master Service would wait for the periodic resync.
var sentinelChannels = []string{
	"+switch-master", "+failover-end", "+failover-end-for-timeout", "+sdown", "-sdown", "+odown", "-odown",
	"+convert-to-slave", "+fix-slave-config", "+slave", "+sentinel", "+reboot", "+role-change", "-role-change",
}

// SentinelEvents subscribes to the sentinels of every RedisFailover and turns their events into
// reconcile requests. It is a manager Runnable: it runs on the leader only and stops every
// subscription on shutdown.
type SentinelEvents struct {
	log    logr.Logger
	events chan event.GenericEvent
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	subs map[types.NamespacedName]*subscription
}

type subscription struct {
	addrs    []string
	password string
	cancel   context.CancelFunc
}

// NewSentinelEvents returns an idle SentinelEvents; add it to the manager and pass it to the
// reconciler.
func NewSentinelEvents(log logr.Logger) *SentinelEvents {
	ctx, cancel := context.WithCancel(context.Background())
	return &SentinelEvents{log: log, events: make(chan event.GenericEvent, 256), ctx: ctx, cancel: cancel,
		subs: map[types.NamespacedName]*subscription{}}
}

// Events is the source the controller watches.
func (s *SentinelEvents) Events() <-chan event.GenericEvent { return s.events }

// Start blocks until the manager stops, then closes every subscription.
func (s *SentinelEvents) Start(ctx context.Context) error {
	<-ctx.Done()
	s.cancel()
	return nil
}

// NeedLeaderElection: only the leader reconciles, so only the leader needs the events.
func (s *SentinelEvents) NeedLeaderElection() bool { return true }

// followSentinels subscribes to the events of the sentinels just observed (when the reconciler
// follows sentinel events at all).
func (r *RedisFailoverReconciler) followSentinels(key types.NamespacedName, o *observation, password string) {
	if r.Sentinels != nil {
		r.Sentinels.Watch(key, o.sentinelAddrs(), password)
	}
}

// Watch makes sure key's sentinels at addrs are subscribed to; a changed set of addresses or
// password replaces the subscription. Called on every reconcile, so it must be cheap when
// nothing changed.
func (s *SentinelEvents) Watch(key types.NamespacedName, addrs []string, password string) {
	addrs = slices.Sorted(slices.Values(addrs))
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub, ok := s.subs[key]; ok {
		if slices.Equal(sub.addrs, addrs) && sub.password == password {
			return
		}
		sub.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.subs[key] = &subscription{addrs: addrs, password: password, cancel: cancel}
	for _, addr := range addrs {
		go s.follow(ctx, key, addr, password)
	}
	s.log.V(1).Info("subscribed to sentinel events", "redisfailover", key, "sentinels", strings.Join(addrs, ","))
}

// Forget closes key's subscriptions.
func (s *SentinelEvents) Forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub, ok := s.subs[key]; ok {
		sub.cancel()
		delete(s.subs, key)
	}
}

// follow relays one sentinel's events as reconcile requests until ctx ends.
func (s *SentinelEvents) follow(ctx context.Context, key types.NamespacedName, addr, password string) {
	c := redis.Client{Password: password}
	c.FollowSentinel(ctx, addr, sentinelChannels, func(e redis.SentinelEvent) {
		s.log.V(1).Info("sentinel event", "redisfailover", key, "sentinel", addr, "event", e.Channel, "payload", e.Payload)
		rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
		select {
		case s.events <- event.GenericEvent{Object: rf}:
		case <-ctx.Done():
		}
	})
}

package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// sentinelEvent is one message a sentinel published (+sdown, +switch-master, ...), stamped when
// the host received it.
type sentinelEvent struct {
	at       time.Time
	sentinel string
	channel  string
	payload  string
}

// roleEvent is a Redis pod seen with a new role label (or a new IP), stamped when the watch
// delivered it.
type roleEvent struct {
	at   time.Time
	pod  string
	ip   string
	role string
}

// observer records what the sentinels announce and how the role labels move, on the host's
// clock, so that the two can be compared: the label lag is the time from the first
// +switch-master to the role label on the promoted pod.
type observer struct {
	mu        sync.Mutex
	sentinel  []sentinelEvent
	roles     []roleEvent
	lastRole  map[string]string
	cancel    context.CancelFunc
	done      sync.WaitGroup
	watchErrs []string
}

// observe subscribes to every event of every sentinel pod (PSUBSCRIBE *) and watches the Redis
// pods. It returns once the subscriptions are confirmed and the watch is open.
func (k *cluster) observe(ctx context.Context) (*observer, error) {
	_, sentinels, err := k.sentinelAddrs(ctx)
	if err != nil {
		return nil, err
	}
	if len(sentinels) == 0 {
		return nil, fmt.Errorf("no Ready sentinel pod to subscribe to")
	}
	octx, cancel := context.WithCancel(context.Background())
	o := &observer{lastRole: map[string]string{}, cancel: cancel}
	for _, addr := range sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: addr, Password: k.password, DialTimeout: time.Second})
		sub := c.PSubscribe(octx, "*")
		if _, err := sub.Receive(ctx); err != nil {
			o.stop()
			_ = sub.Close()
			_ = c.Close()
			return nil, fmt.Errorf("PSUBSCRIBE * on sentinel %s: %w", addr, err)
		}
		o.done.Add(1)
		go func() {
			defer o.done.Done()
			defer c.Close()
			defer sub.Close()
			ch := sub.Channel()
			for {
				select {
				case <-octx.Done():
					return
				case m, ok := <-ch:
					if !ok {
						return
					}
					o.addSentinel(sentinelEvent{at: time.Now(), sentinel: addr, channel: m.Channel, payload: m.Payload})
				}
			}
		}()
	}
	selector := fmt.Sprintf("%s=%s,%s=%s", redisv1alpha1.LabelInstance, k.name, redisv1alpha1.LabelComponent, redisv1alpha1.ComponentRedis)
	w, err := k.cs.CoreV1().Pods(k.ns).Watch(octx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		o.stop()
		return nil, fmt.Errorf("watching the Redis pods: %w", err)
	}
	o.done.Add(1)
	go func() {
		defer o.done.Done()
		o.watchPods(octx, k, selector, w)
	}()
	return o, nil
}

// watchPods follows the pod watch, reopening it when the API server ends it.
func (o *observer) watchPods(ctx context.Context, k *cluster, selector string, w watch.Interface) {
	for {
		for ev := range w.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			role := pod.Labels[redisv1alpha1.LabelRole]
			if ev.Type == watch.Deleted || pod.DeletionTimestamp != nil {
				role = "terminating"
			}
			o.addRole(roleEvent{at: time.Now(), pod: pod.Name, ip: pod.Status.PodIP, role: role})
		}
		w.Stop()
		if ctx.Err() != nil {
			return
		}
		var err error
		w, err = k.cs.CoreV1().Pods(k.ns).Watch(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			o.mu.Lock()
			o.watchErrs = append(o.watchErrs, err.Error())
			o.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			time.Sleep(200 * time.Millisecond) // back off before reopening the watch
		}
	}
}

func (o *observer) addSentinel(e sentinelEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sentinel = append(o.sentinel, e)
}

func (o *observer) addRole(e roleEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	key := e.role + " " + e.ip
	if o.lastRole[e.pod] == key {
		return
	}
	o.lastRole[e.pod] = key
	o.roles = append(o.roles, e)
}

func (o *observer) stop() {
	o.cancel()
	o.done.Wait()
}

func (o *observer) snapshot() ([]sentinelEvent, []roleEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]sentinelEvent(nil), o.sentinel...), append([]roleEvent(nil), o.roles...)
}

// switchMaster is the first +switch-master any sentinel announced after t0, with the promoted
// address ("" when none was seen).
type switchMaster struct {
	at    time.Time
	newIP string
}

// firstSwitch finds the first +switch-master after t0. Its payload is
// "<master-name> <old-ip> <old-port> <new-ip> <new-port>".
// Events of different sentinels may be recorded slightly out of order, hence the minimum.
func firstSwitch(events []sentinelEvent, t0 time.Time) (switchMaster, bool) {
	var first switchMaster
	found := false
	for _, e := range events {
		if e.channel != "+switch-master" || e.at.Before(t0) {
			continue
		}
		f := strings.Fields(e.payload)
		if len(f) != 5 {
			continue
		}
		if !found || e.at.Before(first.at) {
			first, found = switchMaster{at: e.at, newIP: f[3]}, true
		}
	}
	return first, found
}

// labelMoved is when, after t0, the pod with IP ip was first seen labelled master.
func labelMoved(roles []roleEvent, t0 time.Time, ip string) (roleEvent, bool) {
	for _, r := range roles {
		if !r.at.Before(t0) && r.ip == ip && r.role == string(role.Master) {
			return r, true
		}
	}
	return roleEvent{}, false
}

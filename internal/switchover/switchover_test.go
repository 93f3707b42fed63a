package switchover

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// world is a three-node RedisFailover with three sentinels; the fields say what differs from a
// healthy one with rfr-c-0 as master.
type world struct {
	master       int // ordinal of the master
	lagging      int // ordinal of a replica 500 bytes behind, -1 for none
	linkDown     int // ordinal of a replica with its link down, -1 for none
	priority     map[int]int
	failingOver  bool
	sentinelsSay int // ordinal the sentinels name, -1: same as master
	sees         int // priority the asked sentinel reports for the target
	now          time.Time
}

func healthy() world {
	return world{master: 0, lagging: -1, linkDown: -1, sentinelsSay: -1, sees: -1, now: t0}
}

func ip(i int) string { return "10.0.0." + string(rune('1'+i)) }

func (w world) observe() Observation {
	var t topology.Topology
	for i := 0; i < 3; i++ {
		n := topology.Node{Pod: "rfr-c-" + string(rune('0'+i)), Ordinal: i, IP: ip(i), Port: 6379}
		prio := 100
		if p, ok := w.priority[i]; ok {
			prio = p
		}
		if i == w.master {
			n.Replication = topology.Replication{Role: role.Master, MasterReplOffset: 5<<20 + 1000}
		} else {
			off := int64(5<<20 + 900) // in flight: 100 bytes behind is in sync
			if i == w.lagging {
				off = 1000 // 5 MiB behind
			}
			n.Replication = topology.Replication{Role: role.Replica, MasterHost: ip(w.master), MasterPort: 6379,
				MasterLinkUp: i != w.linkDown, ReplicaOffset: off, ReplicaPriority: prio}
		}
		t.Nodes = append(t.Nodes, n)
	}
	named := w.master
	if w.sentinelsSay >= 0 {
		named = w.sentinelsSay
	}
	for i := 0; i < 3; i++ {
		s := topology.Sentinel{Pod: "rfs-c-" + string(rune('a'+i)), IP: "10.0.1." + string(rune('1'+i)), Port: 26379, Monitors: true}
		s.View.Master = topology.SentinelMaster{IP: ip(named), Port: 6379}
		if w.failingOver && i == 0 {
			s.View.Master.FailingOver = true
		}
		t.Sentinels = append(t.Sentinels, s)
	}
	spec := topology.Spec{MasterName: "c", Nodes: 3, Sentinels: 3, Quorum: 2}
	return Observation{Topology: t, Health: topology.Assess(t, spec), Quorum: 2, SentinelSeesPriority: w.sees, Now: w.now}
}

func TestAccept(t *testing.T) {
	cases := []struct {
		name      string
		requested string
		world     func(w *world)
		phase     redisv1alpha1.SwitchoverPhase
		target    string
		result    []string // substrings of the result
	}{
		{name: "any", requested: "any", phase: redisv1alpha1.SwitchoverInProgress, result: []string{"rfr-c-0", "rfs-c-a"}},
		{name: "to a replica in sync", requested: "rfr-c-2", phase: redisv1alpha1.SwitchoverInProgress, target: "rfr-c-2"},
		{name: "empty value", requested: "", phase: redisv1alpha1.SwitchoverRejected, result: []string{"redis.failover.dev/switchover is empty", `"any"`}},
		{name: "unknown pod", requested: "rfr-c-7", phase: redisv1alpha1.SwitchoverRejected,
			result: []string{"names no Redis pod", "rfr-c-0, rfr-c-1, rfr-c-2", "nothing was done"}},
		{name: "the master itself", requested: "rfr-c-0", phase: redisv1alpha1.SwitchoverRejected, result: []string{"already the master"}},
		{name: "lagging replica", requested: "rfr-c-1", world: func(w *world) { w.lagging = 1 }, phase: redisv1alpha1.SwitchoverRejected,
			result: []string{"rfr-c-1 cannot take over", "5242880 bytes behind"}},
		{name: "replica with its link down", requested: "rfr-c-1", world: func(w *world) { w.linkDown = 1 }, phase: redisv1alpha1.SwitchoverRejected,
			result: []string{"link to the master is down"}},
		{name: "replica never to be promoted", requested: "rfr-c-1", world: func(w *world) { w.priority = map[int]int{1: 0} },
			phase: redisv1alpha1.SwitchoverRejected, result: []string{"replica-priority is 0"}},
		{name: "any with no replica in sync", requested: "any", world: func(w *world) { w.lagging, w.linkDown = 1, 2 },
			phase: redisv1alpha1.SwitchoverRejected, result: []string{"no replica can take over"}},
		{name: "failover in progress", requested: "any", world: func(w *world) { w.failingOver = true },
			phase: redisv1alpha1.SwitchoverRejected, result: []string{"a failover is in progress"}},
		{name: "sentinels name another node", requested: "any", world: func(w *world) { w.sentinelsSay = 1 },
			phase: redisv1alpha1.SwitchoverRejected, result: []string{"does not name rfr-c-0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := healthy()
			if tc.world != nil {
				tc.world(&w)
			}
			got := Accept(tc.requested, w.observe())
			if got.Phase != tc.phase || got.Target != tc.target || got.Requested != tc.requested || got.Started == nil {
				t.Fatalf("Accept(%q) = %+v, want phase %s target %q", tc.requested, got, tc.phase, tc.target)
			}
			if tc.phase == redisv1alpha1.SwitchoverInProgress && (got.From != "rfr-c-0" || got.Sentinel != "rfs-c-a" || got.Finished != nil) {
				t.Errorf("accepted status %+v should name the master, the sentinel to ask, and not be finished", got)
			}
			if tc.phase == redisv1alpha1.SwitchoverRejected && got.Finished == nil {
				t.Errorf("a rejection is final: %+v", got)
			}
			for _, want := range tc.result {
				if !strings.Contains(got.Result, want) {
					t.Errorf("result %q does not contain %q", got.Result, want)
				}
			}
		})
	}
}

func inProgress(target string, mutate func(sw *redisv1alpha1.SwitchoverStatus)) redisv1alpha1.SwitchoverStatus {
	started := metav1.NewTime(t0)
	sw := redisv1alpha1.SwitchoverStatus{Requested: "any", Target: target, From: "rfr-c-0", Sentinel: "rfs-c-a",
		Phase: redisv1alpha1.SwitchoverInProgress, Started: &started}
	if target != "" {
		sw.Requested = target
	}
	if mutate != nil {
		mutate(&sw)
	}
	return sw
}

func at(d time.Duration) *metav1.Time { t := metav1.NewTime(t0.Add(d)); return &t }

func TestNext(t *testing.T) {
	cases := []struct {
		name     string
		sw       redisv1alpha1.SwitchoverStatus
		world    func(w *world)
		kind     StepKind
		node     string
		priority int
		phase    redisv1alpha1.SwitchoverPhase
		result   string
		check    func(t *testing.T, s Step)
	}{
		{name: "any: ask the recorded sentinel", sw: inProgress("", nil), kind: AskSentinel, phase: redisv1alpha1.SwitchoverInProgress,
			result: "asked sentinel rfs-c-a", check: func(t *testing.T, s Step) {
				if s.Status.Attempts != 1 || s.Status.Asked == nil || !s.Status.Asked.Time.Equal(t0.Add(time.Second)) {
					t.Errorf("attempt not recorded: %+v", s.Status)
				}
			}},
		{name: "asked a moment ago: wait", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(0) }),
			kind: Wait, phase: redisv1alpha1.SwitchoverInProgress, result: "waiting for the failover"},
		{name: "failover running: wait", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(-10*time.Second) }),
			world: func(w *world) { w.failingOver = true }, kind: Wait, phase: redisv1alpha1.SwitchoverInProgress, result: "is failing over"},
		{name: "sentinel gave up: ask again", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(-5*time.Second) }),
			kind: AskSentinel, phase: redisv1alpha1.SwitchoverInProgress, result: "request 2 of at most 3"},
		{name: "too many attempts: failed", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 3, at(-5*time.Second) }),
			kind: Finish, phase: redisv1alpha1.SwitchoverFailed, result: "did not fail over after 3 requests"},
		{name: "master moved and sentinels agree: succeeded", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(0) }),
			world: func(w *world) { w.master = 2 }, kind: Finish, phase: redisv1alpha1.SwitchoverSucceeded, result: "moved from rfr-c-0 to rfr-c-2",
			check: func(t *testing.T, s Step) {
				if s.Status.Finished == nil {
					t.Error("finished not set")
				}
			}},
		{name: "master moved, sentinels still finishing: wait", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(0) }),
			world: func(w *world) { w.master, w.failingOver = 2, true }, kind: Wait, phase: redisv1alpha1.SwitchoverInProgress},
		{name: "operator restarted mid-switchover, already done: restore and succeed", sw: inProgress("rfr-c-1", func(sw *redisv1alpha1.SwitchoverStatus) {
			sw.Attempts, sw.Asked, sw.TargetPriority = 1, at(-30*time.Second), ptrInt32(100)
		}), world: func(w *world) { w.master = 1 }, kind: SetPriority, node: "rfr-c-1", priority: 100, phase: redisv1alpha1.SwitchoverSucceeded,
			result: "moved from rfr-c-0 to rfr-c-1"},
		{name: "operator restarted mid-switchover, nothing changed yet: carry on", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) {
			sw.Attempts, sw.Asked = 1, at(-30*time.Second)
		}), kind: AskSentinel, phase: redisv1alpha1.SwitchoverInProgress, result: "request 2"},
		{name: "timed out", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Attempts, sw.Asked = 1, at(0) }),
			world: func(w *world) { w.now = t0.Add(Timeout + time.Second) }, kind: Finish, phase: redisv1alpha1.SwitchoverFailed,
			result: "not done within 1m0s"},
		{name: "to: lower the target's priority first", sw: inProgress("rfr-c-2", nil), kind: SetPriority, node: "rfr-c-2", priority: PreferredPriority,
			phase: redisv1alpha1.SwitchoverInProgress, result: "from 100 to 1", check: func(t *testing.T, s Step) {
				if s.Status.TargetPriority == nil || *s.Status.TargetPriority != 100 {
					t.Errorf("the original priority must be recorded before it is changed: %+v", s.Status.TargetPriority)
				}
			}},
		{name: "to: wait until the sentinel sees the priority", sw: inProgress("rfr-c-2", func(sw *redisv1alpha1.SwitchoverStatus) { sw.TargetPriority = ptrInt32(100) }),
			world: func(w *world) { w.priority, w.sees = map[int]int{2: 1}, 100 }, kind: Wait, phase: redisv1alpha1.SwitchoverInProgress,
			result: "waiting for sentinel rfs-c-a to read rfr-c-2's replica-priority 1"},
		{name: "to: sentinel sees it, ask", sw: inProgress("rfr-c-2", func(sw *redisv1alpha1.SwitchoverStatus) { sw.TargetPriority = ptrInt32(100) }),
			world: func(w *world) { w.priority, w.sees = map[int]int{2: 1}, 1 }, kind: AskSentinel, phase: redisv1alpha1.SwitchoverInProgress},
		{name: "to: done, restore the priority before finishing", sw: inProgress("rfr-c-2", func(sw *redisv1alpha1.SwitchoverStatus) {
			sw.TargetPriority, sw.Attempts, sw.Asked = ptrInt32(100), 1, at(0)
		}), world: func(w *world) { w.master, w.priority = 2, map[int]int{2: 1} }, kind: SetPriority, node: "rfr-c-2", priority: 100,
			phase: redisv1alpha1.SwitchoverSucceeded},
		{name: "to: sentinels chose another: failed, priority restored", sw: inProgress("rfr-c-2", func(sw *redisv1alpha1.SwitchoverStatus) {
			sw.TargetPriority, sw.Attempts, sw.Asked = ptrInt32(100), 1, at(0)
		}), world: func(w *world) { w.master, w.priority = 1, map[int]int{2: 1} }, kind: SetPriority, node: "rfr-c-2", priority: 100,
			phase: redisv1alpha1.SwitchoverFailed, result: "promoted rfr-c-1, not the requested rfr-c-2"},
		{name: "to: target fell behind before anything was asked: failed", sw: inProgress("rfr-c-2", nil),
			world: func(w *world) { w.lagging = 2 }, kind: Finish, phase: redisv1alpha1.SwitchoverFailed, result: "can no longer take over"},
		{name: "recorded sentinel gone: the first other one is asked", sw: inProgress("", func(sw *redisv1alpha1.SwitchoverStatus) { sw.Sentinel = "rfs-c-gone" }),
			kind: AskSentinel, phase: redisv1alpha1.SwitchoverInProgress, check: func(t *testing.T, s Step) {
				if s.Status.Sentinel != "rfs-c-a" {
					t.Errorf("sentinel %q, want rfs-c-a", s.Status.Sentinel)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := healthy()
			w.now = t0.Add(time.Second)
			if tc.world != nil {
				tc.world(&w)
			}
			got := Next(tc.sw, w.observe())
			if got.Kind != tc.kind || got.Node != tc.node || got.Priority != tc.priority || got.Status.Phase != tc.phase {
				t.Fatalf("Next = %s %s %d, phase %s (%s); want %s %s %d, phase %s", got.Kind, got.Node, got.Priority, got.Status.Phase, got.Status.Result,
					tc.kind, tc.node, tc.priority, tc.phase)
			}
			if !strings.Contains(got.Status.Result, tc.result) {
				t.Errorf("result %q does not contain %q", got.Status.Result, tc.result)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func TestWhyNoHandover(t *testing.T) {
	cases := []struct {
		name  string
		world func(w *world)
		want  string // substring; "" means a replica can take over
	}{
		{name: "healthy"},
		{name: "one replica lagging, the other fine", world: func(w *world) { w.lagging = 1 }},
		{name: "every replica unfit", world: func(w *world) { w.lagging, w.linkDown = 1, 2 }, want: "no replica can take over"},
		{name: "replicas never to be promoted", world: func(w *world) { w.priority = map[int]int{1: 0, 2: 0} }, want: "no replica qualifies"},
		{name: "sentinels name another node", world: func(w *world) { w.sentinelsSay = 2 }, want: "does not name rfr-c-0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := healthy()
			if tc.world != nil {
				tc.world(&w)
			}
			got := WhyNoHandover(w.observe())
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("WhyNoHandover = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHoldRollout(t *testing.T) {
	label := topology.Action{Kind: topology.Label, Node: "rfr-c-1"}
	rolloutStep := topology.Action{Kind: topology.DeletePod, Node: "rfr-c-2"}
	got := HoldRollout(topology.Decision{Master: "rfr-c-0", Actions: []topology.Action{label, rolloutStep}})
	if len(got.Actions) != 1 || got.Actions[0].Kind != topology.Label {
		t.Errorf("healing actions must stay and rollout steps go: %+v", got.Actions)
	}
	if !strings.Contains(got.Waiting, "switchover is in progress") {
		t.Errorf("Waiting = %q, want the reason the rollout waits", got.Waiting)
	}
	quiet := HoldRollout(topology.Decision{Master: "rfr-c-0"})
	if quiet.Waiting == "" {
		t.Error("a quiet decision during a switchover must say it waits, so the reconcile looks again soon")
	}
	healing := topology.Decision{Master: "rfr-c-0", Actions: []topology.Action{label}}
	if got := HoldRollout(healing); len(got.Actions) != 1 || got.Waiting != "" {
		t.Errorf("a decision without rollout steps is left alone: %+v", got)
	}
}

func TestSentinelsSay(t *testing.T) {
	for _, tc := range []struct {
		v    topology.SentinelVerdict
		want string
	}{
		{topology.SentinelVerdict{}, "no sentinel answers"},
		{topology.SentinelVerdict{Reachable: 3}, "none of the 3 sentinels that answer names a master"},
		{topology.SentinelVerdict{Reachable: 3, Leading: "10.0.0.1:6379", LeadingVotes: 1}, "1 of 3 name 10.0.0.1:6379"},
	} {
		if got := sentinelsSay(tc.v); got != tc.want {
			t.Errorf("sentinelsSay(%+v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

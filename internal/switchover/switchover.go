// Package switchover decides, purely, how a requested switchover goes: whether a request is
// accepted (Accept) and, from the intent held in status.switchover and one observation, what
// the next step is (Next). The controller does the I/O; an operator restarted in the middle of
// a switchover reads status.switchover back and Next carries on from it.
//
// How a target is honoured: the sentinels stay the only ones that promote. SENTINEL FAILOVER
// lets the sentinel choose a replica, by replica-priority first (lowest non-zero wins), then
// replication offset. To make it choose the requested pod, the operator lowers that pod's
// replica-priority (CONFIG SET, runtime only) below every other replica's, waits until the
// sentinel it will ask reports the new priority (sentinels read INFO every 10 s), asks that
// sentinel, and restores the priority when the switchover ends. Redis's own FAILOVER TO would
// promote behind the sentinels' back; a priority leaves every decision with them, and if the
// master died meanwhile the sentinels would still fail over to the best live replica.
package switchover

import (
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

const (
	// PreferredPriority is the replica-priority the target gets for the switchover. The operator
	// owns replica-priority (customConfig cannot set it), so every other replica has Redis's
	// default, 100.
	PreferredPriority = 1
	// Timeout bounds a switchover from acceptance to its end, priority propagation included.
	Timeout = 60 * time.Second
	// RetryAfter is how long after asking the sentinel, with no failover running and the master
	// unchanged, the operator asks again (the sentinel aborted, e.g. the replica did not catch
	// up within its bound).
	RetryAfter = 3 * time.Second
	// MaxAttempts bounds the SENTINEL FAILOVER requests of one switchover.
	MaxAttempts = 3
	// MaxLagBytes is how far behind the master's offset a target may be. Offsets are read from
	// the nodes one after another while writes flow, so a linked replica is rarely at exactly the
	// master's; the sentinel pauses writes and waits for the replica to catch up anyway, but
	// gives it only 2.5 s, so a replica far behind is refused up front.
	MaxLagBytes = 1 << 20
)

// Observation is what Accept and Next decide on.
type Observation struct {
	Topology topology.Topology
	Health   topology.Health
	Quorum   int
	// SentinelSeesPriority is the replica-priority the asked sentinel reports for the target
	// (SENTINEL REPLICAS), -1 when unknown or when there is no target.
	SentinelSeesPriority int
	Now                  time.Time
}

// Accept judges a request (the annotation's value). The result is the status to record:
// InProgress when accepted, Rejected (with the reason and the fix) otherwise. Nothing has been
// done either way.
func Accept(requested string, o Observation) redisv1alpha1.SwitchoverStatus {
	now := metav1.NewTime(o.Now)
	sw := redisv1alpha1.SwitchoverStatus{Requested: requested, Started: &now}
	reject := func(format string, args ...any) redisv1alpha1.SwitchoverStatus {
		sw.Phase, sw.Finished = redisv1alpha1.SwitchoverRejected, &now
		sw.Result = fmt.Sprintf(format, args...) + "; nothing was done"
		return sw
	}
	annotation := redisv1alpha1.AnnotationSwitchover
	if requested == "" {
		return reject("%s is empty: set it to %q or to the name of a replica pod", annotation, redisv1alpha1.SwitchoverToAny)
	}
	target, named := o.Topology.Node(requested)
	if requested != redisv1alpha1.SwitchoverToAny && !named {
		return reject("%s=%s names no Redis pod of this RedisFailover (its pods: %s): set it to %q or to one of them",
			annotation, requested, strings.Join(podNames(o.Topology), ", "), redisv1alpha1.SwitchoverToAny)
	}
	master, problem := agreedMaster(o)
	if problem != "" {
		return reject("cannot switch over now: %s", problem)
	}
	sw.From = master.Pod
	if named {
		if target.Pod == master.Pod {
			return reject("%s is already the master", target.Pod)
		}
		if why := notEligible(target, o.Health); why != "" {
			return reject("%s cannot take over: %s", target.Pod, why)
		}
		sw.Target = target.Pod
	} else if why := WhyNoHandover(o); why != "" {
		return reject("%s", why)
	}
	sw.Sentinel = pickSentinel(o.Topology, master)
	if sw.Sentinel == "" {
		return reject("no reachable sentinel names %s as master", master.Pod)
	}
	sw.Phase = redisv1alpha1.SwitchoverInProgress
	sw.Result = fmt.Sprintf("accepted: moving the master away from %s through sentinel %s", master.Pod, sw.Sentinel)
	return sw
}

// WhyNoHandover says why no replica could take over from the master now, "" when one can. The
// controller asks when it sees the master's pod terminating: its preStop hook then cannot hand
// over, and the user hears why from an Event (the kubelet's own FailedPreStopHook Event carries
// no message).
func WhyNoHandover(o Observation) string {
	master, problem := agreedMaster(o)
	if problem != "" {
		return problem
	}
	for _, n := range o.Topology.Nodes {
		if n.Pod != master.Pod && notEligible(n, o.Health) == "" {
			return ""
		}
	}
	if len(o.Health.NotInSync) == 0 {
		return "no replica qualifies"
	}
	return "no replica can take over: " + strings.Join(o.Health.NotInSync, "; ")
}

// HoldRollout keeps a rollout from moving while a switchover runs: the rollout's own steps
// (deleting an outdated pod, asking for its switchover) wait, every healing action stays.
func HoldRollout(d topology.Decision) topology.Decision {
	held := slices.DeleteFunc(slices.Clone(d.Actions), func(a topology.Action) bool {
		return a.Kind == topology.DeletePod || a.Kind == topology.Switchover
	})
	if len(held) == len(d.Actions) && len(d.Actions) > 0 {
		return d
	}
	d.Actions = held
	if d.Waiting == "" {
		d.Waiting = "a switchover is in progress (status.switchover): the rollout waits for it"
	}
	return d
}

// StepKind is what the controller does next.
type StepKind string

const (
	// Wait: nothing to do now; Status.Result says what for.
	Wait StepKind = "Wait"
	// SetPriority: CONFIG SET replica-priority Priority on Node (lowering the target's, or
	// restoring it when the switchover has ended).
	SetPriority StepKind = "SetPriority"
	// AskSentinel: SENTINEL FAILOVER on Status.Sentinel.
	AskSentinel StepKind = "AskSentinel"
	// Finish: record the final Status (after restoring the priority, if Restore is set).
	Finish StepKind = "Finish"
)

// Step is the next thing to do and the status to record once it is done.
type Step struct {
	Kind     StepKind
	Node     string
	Priority int
	Status   redisv1alpha1.SwitchoverStatus
}

// Next decides the next step of the switchover in progress in sw.
func Next(sw redisv1alpha1.SwitchoverStatus, o Observation) Step {
	now := metav1.NewTime(o.Now)
	step := Step{Kind: Wait, Status: *sw.DeepCopy()}
	st := &step.Status
	finish := func(phase redisv1alpha1.SwitchoverPhase, format string, args ...any) Step {
		st.Phase, st.Finished, st.Result = phase, &now, fmt.Sprintf(format, args...)
		// The target's priority goes back first, so that it does not stay preferred; a target
		// that does not answer restarts with the rendered config, which has the default.
		if target, ok := o.Topology.Node(sw.Target); ok && sw.TargetPriority != nil && target.Reachable() &&
			target.Replication.ReplicaPriority != int(*sw.TargetPriority) {
			return Step{Kind: SetPriority, Node: target.Pod, Priority: int(*sw.TargetPriority), Status: *st}
		}
		return Step{Kind: Finish, Status: *st}
	}
	wait := func(format string, args ...any) Step {
		st.Result = fmt.Sprintf(format, args...)
		return step
	}

	v := o.Topology.Verdict()
	master, problem := agreedMaster(o)
	switch {
	case problem == "" && master.Pod != sw.From && (sw.Target == "" || master.Pod == sw.Target):
		return finish(redisv1alpha1.SwitchoverSucceeded, "the master moved from %s to %s and %d sentinels agree", sw.From, master.Pod, v.LeadingVotes)
	case problem == "" && master.Pod != sw.From:
		return finish(redisv1alpha1.SwitchoverFailed, "the sentinels promoted %s, not the requested %s (it no longer qualified when they chose)", master.Pod, sw.Target)
	case sw.Started != nil && o.Now.Sub(sw.Started.Time) > Timeout:
		why := problem
		if why == "" {
			why = "the master is still " + master.Pod
		}
		return finish(redisv1alpha1.SwitchoverFailed, "not done within %v (%d requests to sentinel %s): %s", Timeout, sw.Attempts, sw.Sentinel, why)
	case v.FailingOver:
		return wait("sentinel %s is failing over", sw.Sentinel)
	case problem != "":
		return wait("waiting: %s", problem)
	}

	// The master is still sw.From and no failover runs.
	if sw.Target != "" {
		target, _ := o.Topology.Node(sw.Target)
		if why := notEligible(target, o.Health); why != "" {
			if sw.Attempts == 0 {
				return finish(redisv1alpha1.SwitchoverFailed, "%s can no longer take over: %s", sw.Target, why)
			}
			return wait("waiting for %s to catch up: %s", sw.Target, why)
		}
		if p := target.Replication.ReplicaPriority; p != PreferredPriority {
			if st.TargetPriority == nil {
				st.TargetPriority = ptrInt32(int32(p))
			}
			st.Result = fmt.Sprintf("lowering %s's replica-priority from %d to %d so that the sentinels choose it", sw.Target, p, PreferredPriority)
			return Step{Kind: SetPriority, Node: sw.Target, Priority: PreferredPriority, Status: *st}
		}
		if o.SentinelSeesPriority != PreferredPriority {
			return wait("waiting for sentinel %s to read %s's replica-priority %d (it reads INFO every 10 s)", sw.Sentinel, sw.Target, PreferredPriority)
		}
	}
	sentinel := sw.Sentinel
	if s, ok := sentinelOf(o.Topology, sentinel); !ok || !s.Reachable() {
		// No failover runs (checked above), so asking another sentinel cannot start a second one.
		master, _ := o.Topology.Node(sw.From)
		sentinel = pickSentinel(o.Topology, master)
		if sentinel == "" {
			return wait("no reachable sentinel names %s as master", sw.From)
		}
		st.Sentinel = sentinel
	}
	if sw.Asked != nil && o.Now.Sub(sw.Asked.Time) < RetryAfter {
		return wait("asked sentinel %s; waiting for the failover", sentinel)
	}
	if sw.Attempts >= MaxAttempts {
		return finish(redisv1alpha1.SwitchoverFailed, "sentinel %s did not fail over after %d requests; see its log and the %s Events", sentinel, sw.Attempts, redisv1alpha1.ConditionSwitchover)
	}
	st.Attempts++
	st.Asked = &now
	st.Result = fmt.Sprintf("asked sentinel %s for a failover (request %d of at most %d): writes pause until the replica has every acknowledged write", sentinel, st.Attempts, MaxAttempts)
	return Step{Kind: AskSentinel, Status: *st}
}

// agreedMaster is the one writable master that a quorum of sentinels names, or why there is none.
// sentinelsSay is what the sentinels name, for a message: never an empty "0 of 0 name".
func sentinelsSay(v topology.SentinelVerdict) string {
	switch {
	case v.Reachable == 0:
		return "no sentinel answers"
	case v.Leading == "":
		return fmt.Sprintf("none of the %d sentinels that answer names a master", v.Reachable)
	}
	return fmt.Sprintf("%d of %d name %s", v.LeadingVotes, v.Reachable, v.Leading)
}

func agreedMaster(o Observation) (topology.Node, string) {
	h := o.Health
	if !h.HasOneMaster() {
		if len(h.Masters) > 1 {
			return topology.Node{}, fmt.Sprintf("%d nodes report role master (%s)", len(h.Masters), strings.Join(h.Masters, ", "))
		}
		return topology.Node{}, "no node is a writable master"
	}
	master, _ := o.Topology.Node(h.Master)
	v := o.Topology.Verdict()
	if !v.Agreed(o.Quorum) || !master.Is(v.LeadingHost, v.LeadingPort) {
		return topology.Node{}, fmt.Sprintf("a quorum of %d sentinels does not name %s as master (%s)", o.Quorum, master.Pod, sentinelsSay(v))
	}
	if v.FailingOver {
		return topology.Node{}, "a failover is in progress"
	}
	return master, ""
}

// notEligible says why node cannot become master now, "" when it can.
func notEligible(n topology.Node, h topology.Health) string {
	switch {
	case n.Terminating:
		return "its pod is terminating"
	case !n.Reachable():
		return "it does not answer: " + n.Err
	case n.Replication.ReplicaPriority == 0:
		return "its replica-priority is 0 (never promoted)"
	}
	for _, nh := range h.Nodes {
		if nh.Pod != n.Pod {
			continue
		}
		switch {
		case nh.Role != "replica":
			return "it is not a replica"
		case !nh.LinkUp:
			return "its link to the master is down"
		case !nh.InSync:
			return "it does not follow the master in sync"
		case nh.LagBytes > MaxLagBytes:
			return fmt.Sprintf("it is %d bytes behind the master; wait until it has caught up", nh.LagBytes)
		}
		return ""
	}
	return "it was not observed"
}

// pickSentinel is the first reachable sentinel, by pod name, that names master: always the same
// one while it answers, so that no two sentinels are asked at once.
func pickSentinel(t topology.Topology, master topology.Node) string {
	var names []string
	for _, s := range t.Sentinels {
		if s.Reachable() && s.Monitors && master.Is(s.View.Master.IP, s.View.Master.Port) {
			names = append(names, s.Pod)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

func sentinelOf(t topology.Topology, pod string) (topology.Sentinel, bool) {
	for _, s := range t.Sentinels {
		if s.Pod == pod {
			return s, true
		}
	}
	return topology.Sentinel{}, false
}

func podNames(t topology.Topology) []string {
	names := make([]string, 0, len(t.Nodes))
	for _, n := range t.Nodes {
		names = append(names, n.Pod)
	}
	slices.Sort(names)
	return names
}

func ptrInt32(v int32) *int32 { return &v }

package topology

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// Spec is the part of a RedisFailover's spec that Plan and Assess need.
type Spec struct {
	MasterName string
	// Nodes and Sentinels are the numbers of pods the spec asks for.
	Nodes     int
	Sentinels int
	Quorum    int
	// Sentinel options the operator keeps in step on every sentinel.
	DownAfterMilliseconds int
	FailoverTimeout       int
	ParallelSyncs         int
	// LiveConfig is the value every node must have of each setting Redis applies live (CONFIG
	// SET), normalised as CONFIG GET answers it.
	LiveConfig []ConfigSetting
	// SwitchoverPausesWrites says that the sentinels' SENTINEL FAILOVER pauses the old master's
	// writes until the chosen replica has them all (this project's sentinel); stock Redis
	// Sentinel promotes at once, losing what the replica had not received.
	SwitchoverPausesWrites bool
}

// ConfigSetting is one Redis setting, its value and the spec field it comes from ("" for
// Redis's default), so that an Event or error names the field to fix.
type ConfigSetting struct{ Name, Value, Field string }

// ActionKind says what an action does.
type ActionKind string

const (
	// Promote makes Node a master with REPLICAOF NO ONE. Only bootstrap and split-brain-free
	// recovery use it, when no sentinel knows a master: otherwise the sentinels promote.
	Promote ActionKind = "Promote"
	// ReplicaOf points Node at Master.
	ReplicaOf ActionKind = "ReplicaOf"
	// Label sets the role label of Node's pod to Role.
	Label ActionKind = "Label"
	// Monitor makes Sentinel monitor Master under the master name.
	Monitor ActionKind = "Monitor"
	// Remonitor replaces a sentinel's stale master (an address no pod has) with Master:
	// SENTINEL REMOVE then MONITOR. Only when the sentinels cannot recover on their own.
	Remonitor ActionKind = "Remonitor"
	// SetOptions changes the drifted Options of Sentinel.
	SetOptions ActionKind = "SetOptions"
	// AskFailover asks Sentinel to fail the master over (SENTINEL FAILOVER) because the master
	// it names cannot be trusted.
	AskFailover ActionKind = "AskFailover"
	// Switchover asks Sentinel for a planned failover (SENTINEL FAILOVER) during a rollout.
	Switchover ActionKind = "Switchover"
	// DeletePod deletes Node's pod so that the StatefulSet recreates it at the new revision.
	DeletePod ActionKind = "DeletePod"
	// ConfigSet applies Config to Node with CONFIG SET, without a restart.
	ConfigSet ActionKind = "ConfigSet"
)

// Action is one step, with the reason that goes into a log line and an Event.
type Action struct {
	Kind ActionKind
	// Node is the Redis pod acted on (Promote, ReplicaOf, Label).
	Node string
	// Sentinel is the sentinel pod acted on (Monitor, Remonitor, SetOptions, AskFailover, Switchover).
	Sentinel string
	// Master is the master pod a ReplicaOf/Monitor/Remonitor points at.
	Master string
	// Role is the label value of a Label action.
	Role role.Role
	// Options are the SetOptions changes.
	Options []SentinelOption
	// Config are the ConfigSet changes.
	Config []ConfigSetting
	// Reason says why, in words for a log line and an Event.
	Reason string
}

func (a Action) String() string {
	target := a.Node
	if a.Sentinel != "" {
		target = a.Sentinel
	}
	return fmt.Sprintf("%s %s: %s", a.Kind, target, a.Reason)
}

// Decision is what Plan decided: the master it recognises, the actions, each with its reason,
// and, when it holds back, why (Waiting), so that a quiet reconcile still explains itself.
type Decision struct {
	// Master is the recognised master's pod, "" when there is none yet.
	Master  string
	Actions []Action
	Waiting string
}

// Plan decides, from one observation, the spec and the health Assess found in that same
// observation, which node is the master and what must change. Pure. The rules, in order:
//
//  1. While any sentinel reports a failover in progress, change nothing but the role labels,
//     and those only once a quorum names the promoted node: the sentinels own the failover.
//  2. When a quorum of sentinels names a pod, that pod is the master. If its server answers as a
//     replica (it restarted in place and came back fenced: start.sh never starts a node as a
//     master), never promote it: it may be empty. While a sentinel judges it down, wait for
//     the sentinels' own failover; otherwise ask them to fail over (SENTINEL FAILOVER, which
//     needs no pause or catch-up for a node that takes no writes). If the sentinels know no
//     live replica to promote, rule 4 decides by evidence instead. If it does not answer,
//     wait for the sentinels' failover. If it is terminating while a sentinel already names
//     another node that answers as master, a handover is half-way: wait for the sentinels.
//  3. Otherwise the master is chosen by evidence among the nodes that say they are masters:
//     the most sentinel votes, then the highest replication offset, then the lowest ordinal. Pod
//     age never counts. Without any sentinel vote this waits until every node answers. The other
//     self-declared masters are demoted (split brain healed).
//  4. With no master at all and no sentinel able to fail over, bootstrap: promote the node with
//     the highest offset, but only once every node answers, so that a node holding more data
//     is never passed over because it was briefly unreachable.
//  5. With a master: every other answering node that does not follow it is pointed at it, role
//     labels follow, sentinels that do not monitor it are told to, drifted options are set.
//  6. Only when rules 1-5 find nothing to do and wait for nothing: every node whose live
//     settings differ from the spec gets them with CONFIG SET (see configure), and
//  7. while the master sits on an ordinal that spec.redis.replicas no longer has, the next step
//     of moving it to a node that stays (see scaleDown); otherwise,
//  8. when the RedisFailover is also healthy (h.Ready()), the next step of a rollout of a new
//     pod template (see rollout).
func Plan(t Topology, s Spec, h Health) Decision {
	d := heal(t, s)
	if len(d.Actions) > 0 || d.Waiting != "" {
		return d
	}
	configSets := configure(t, s)
	if step, waiting, doomed := scaleDown(t, s, d.Master); doomed {
		d.Actions, d.Waiting = append(configSets, step...), waiting
		return d
	}
	if h.Ready() {
		d.Actions = rollout(t, d.Master)
	}
	d.Actions = append(configSets, d.Actions...)
	return d
}

// heal is rules 1-5: what makes the observation one master, replicas following it and
// sentinels monitoring it.
func heal(t Topology, s Spec) Decision {
	v := t.Verdict()
	if v.FailingOver {
		p := Decision{Waiting: "a sentinel reports a failover in progress; the sentinels own it until it ends"}
		// Once a quorum names the promoted node and it answers as master (+switch-master), the
		// choice is made: the labels, and with them the master Service, follow at once, while
		// the replicas are left to the sentinels' reconfiguration.
		if v.Agreed(s.Quorum) {
			if chosen, ok := t.NodeAt(v.LeadingHost, v.LeadingPort); ok && chosen.IsMaster() {
				p.Master = chosen.Pod
				p.label(t, chosen)
			}
		}
		return p
	}
	var p Decision
	master, ok := p.chooseMaster(t, s, v)
	if !ok {
		return p
	}
	p.Master = master.Pod
	// Labels first: the master Service must stop sending writes to a demoted node before
	// anything else, and it must never select two pods.
	p.label(t, master)
	p.rewire(t, master)
	p.sentinels(t, s, v, master)
	return p
}

// namedSuccessor is the node, other than old, that reports role master while at least one
// sentinel names it: the replica a sentinel promoted in place of old.
func namedSuccessor(t Topology, v SentinelVerdict, old Node) (Node, bool) {
	for _, n := range t.Nodes {
		if n.Pod != old.Pod && !n.Terminating && n.IsMaster() && v.Votes[n.Addr()] > 0 {
			return n, true
		}
	}
	return Node{}, false
}

func (p *Decision) chooseMaster(t Topology, s Spec, v SentinelVerdict) (Node, bool) {
	if v.Agreed(s.Quorum) {
		chosen, isPod := t.NodeAt(v.LeadingHost, v.LeadingPort)
		switch {
		case isPod && chosen.IsMaster() && chosen.Terminating:
			// A graceful handover caught half-way: the sentinel that ran the failover has
			// promoted a replica and names it, the others still name the old master, which is
			// going away and still answers as master. Demoting the promoted node now would undo the handover the
			// preStop hook asked for; the sentinels converge within a hello period.
			if successor, ok := namedSuccessor(t, v, chosen); ok {
				p.Waiting = fmt.Sprintf("%d sentinels name %s, which is terminating, and %d name %s, which reports role master: a handover is under way; waiting for the sentinels to agree",
					v.LeadingVotes, chosen.Pod, v.Votes[successor.Addr()], successor.Pod)
				return Node{}, false
			}
			return chosen, true
		case isPod && chosen.IsMaster():
			return chosen, true
		case isPod && chosen.Reachable() && sentinelsCanRecover(t, s.Quorum) && sentinelsSeeDown(t, v):
			// Sentinels already judge it down (ours do so at once for a master that restarted
			// fenced): they elect a leader and fail over by themselves. A SENTINEL FAILOVER on
			// top would start a second failover beside theirs.
			p.Waiting = fmt.Sprintf("%d sentinels name %s as master, which reports role %s (restarted in place and fenced?); they judge it down and fail over by themselves",
				v.LeadingVotes, chosen.Pod, chosen.Replication.Role)
			return Node{}, false
		case isPod && chosen.Reachable() && sentinelsCanRecover(t, s.Quorum):
			p.add(Action{Kind: AskFailover, Sentinel: firstMonitoring(t), Reason: fmt.Sprintf(
				"%d sentinels name %s as master but its server reports role %s (restarted in place and fenced?): asking the sentinels to promote the best replica instead of trusting a node that may be empty",
				v.LeadingVotes, chosen.Pod, chosen.Replication.Role)})
			return Node{}, false
		case isPod && chosen.Reachable():
			// The sentinels name a node that is no master and know no live replica to promote
			// (SENTINEL FAILOVER would answer NOGOODSLAVE): they are stuck, so the nodes' own
			// evidence decides (rule 4, highest offset: an empty restarted node never wins over
			// a replica with data) and the sentinels are re-pointed.
		case isPod:
			p.Waiting = fmt.Sprintf("master %s does not answer (%s); the sentinels fail over after down-after-milliseconds", chosen.Pod, chosen.Err)
			return Node{}, false
		case sentinelsCanRecover(t, s.Quorum) && s.SwitchoverPausesWrites && !sentinelsSeeDown(t, v):
			// The master's pod is gone (deleted without a grace period, or lost with its node):
			// no preStop hook handed over, and its server is stopping or already gone. A
			// server stopped by SIGTERM still answers while it waits for its replicas (Redis's
			// shutdown-timeout), so a switchover now loses nothing and saves down-after; if it is
			// already unreachable, the switchover gives up and the sentinels' own failover follows.
			p.add(Action{Kind: AskFailover, Sentinel: firstMonitoring(t), Reason: fmt.Sprintf(
				"%d sentinels name %s as master, which is no longer a pod of this RedisFailover (deleted without a grace period?): asking them to hand over now, with its writes paused until a replica has them all, instead of waiting down-after-milliseconds",
				v.LeadingVotes, v.Leading)})
			return Node{}, false
		case sentinelsCanRecover(t, s.Quorum):
			p.Waiting = fmt.Sprintf("%d sentinels name %s, which is no longer a pod of this RedisFailover; they know a live replica and each other, and will fail over", v.LeadingVotes, v.Leading)
			return Node{}, false
		}
		// The sentinels' master is gone and they know no live replica: they are stuck, so the
		// nodes' own evidence decides and the sentinels are re-pointed (rule 3 and 4).
	}

	reachable := 0
	var masters, candidates []Node
	for _, n := range t.Nodes {
		if !n.Reachable() {
			continue
		}
		reachable++
		if n.Terminating {
			continue
		}
		candidates = append(candidates, n)
		if n.IsMaster() {
			masters = append(masters, n)
		}
	}
	allAnswer := reachable >= s.Nodes && len(t.Nodes) >= s.Nodes
	if len(masters) > 0 {
		slices.SortFunc(masters, func(a, b Node) int {
			return cmp.Or(
				-cmp.Compare(v.Votes[a.Addr()], v.Votes[b.Addr()]),
				-cmp.Compare(a.Replication.Offset(), b.Replication.Offset()),
				cmp.Compare(a.Ordinal, b.Ordinal))
		})
		// A node that merely says it is master (a fresh or restarted pod starts as one) is only
		// trusted with a sentinel behind it or when every node answers: an unreachable node may
		// be the real master, with the data.
		if v.Votes[masters[0].Addr()] > 0 || allAnswer {
			return masters[0], true
		}
	}
	if !allAnswer || len(candidates) == 0 {
		p.Waiting = fmt.Sprintf("no master that a sentinel vouches for; %d of %d Redis nodes answer, and a master is only chosen once all do, so that the node with the most data is not passed over", reachable, s.Nodes)
		return Node{}, false
	}
	slices.SortFunc(candidates, func(a, b Node) int {
		return cmp.Or(
			-cmp.Compare(a.Replication.Offset(), b.Replication.Offset()),
			cmp.Compare(a.Ordinal, b.Ordinal))
	})
	chosen := candidates[0]
	p.add(Action{Kind: Promote, Node: chosen.Pod, Reason: fmt.Sprintf(
		"no node is master and no sentinel can fail over: promoting %s, the node with the highest replication offset (%d)",
		chosen.Pod, chosen.Replication.Offset())})
	// From here on the plan treats the chosen node as the master it is about to become.
	chosen.Replication = Replication{Role: role.Master, MasterReplOffset: chosen.Replication.Offset()}
	return chosen, true
}

// rewire points every answering node that does not follow master at it.
func (p *Decision) rewire(t Topology, master Node) {
	for _, n := range t.Nodes {
		if n.Pod == master.Pod || !n.Reachable() || n.Terminating || n.Follows(master) {
			continue
		}
		r := n.Replication
		var why string
		switch {
		case r.Role == role.Master:
			why = fmt.Sprintf("%s also reports role master (offset %d); %s is the master (offset %d): demoting it", n.Pod, r.Offset(), master.Pod, master.Replication.Offset())
		case r.MasterHost == "" || r.MasterPort == 0:
			why = fmt.Sprintf("%s follows no master", n.Pod)
		default:
			why = fmt.Sprintf("%s follows %s, not the master %s", n.Pod, hostPort(r.MasterHost, r.MasterPort), master.Pod)
		}
		p.add(Action{Kind: ReplicaOf, Node: n.Pod, Master: master.Pod, Reason: why})
	}
}

// label keeps the role labels, which the master and replica Services select on, in step:
// replicas first, so that the master Service never selects two pods.
func (p *Decision) label(t Topology, master Node) {
	for _, n := range t.Nodes {
		if n.Pod != master.Pod && n.RoleLabel != role.Replica {
			p.add(Action{Kind: Label, Node: n.Pod, Role: role.Replica, Reason: fmt.Sprintf("%s is a replica (label was %q)", n.Pod, n.RoleLabel)})
		}
	}
	if master.RoleLabel != role.Master {
		p.add(Action{Kind: Label, Node: master.Pod, Role: role.Master, Reason: fmt.Sprintf("%s is the master (label was %q)", master.Pod, master.RoleLabel)})
	}
}

// sentinels makes every answering sentinel monitor master, touching a sentinel only on real
// drift: one that monitors nothing, one whose master is an address no pod has while the
// sentinels cannot recover, or one whose options differ. A sentinel that names another pod is
// left alone: sentinels converge among themselves through epochs, and resetting them in a loop
// is how peers left clusters masterless for hours.
func (p *Decision) sentinels(t Topology, s Spec, v SentinelVerdict, master Node) {
	for _, sn := range t.Sentinels {
		if !sn.Reachable() {
			continue
		}
		if !sn.Monitors {
			if p.has(ReplicaOf) {
				// A sentinel learns replicas from the master's INFO, which it reads on MONITOR and
				// then every 10 s: monitoring after the replicas follow saves those 10 s.
				p.Waiting = fmt.Sprintf("sentinel %s is told to monitor %s once the replicas follow it", sn.Pod, master.Pod)
				continue
			}
			p.add(Action{Kind: Monitor, Sentinel: sn.Pod, Master: master.Pod, Reason: fmt.Sprintf("sentinel %s does not monitor %s", sn.Pod, s.MasterName)})
			continue
		}
		m := sn.View.Master
		named, isPod := t.NodeAt(m.IP, m.Port)
		if !isPod && !sentinelsCanRecover(t, s.Quorum) {
			p.add(Action{Kind: Remonitor, Sentinel: sn.Pod, Master: master.Pod, Reason: fmt.Sprintf(
				"sentinel %s names %s as master, an address no pod of this RedisFailover has, and no sentinel can fail over from it (none knows a live replica and enough live sentinels for the quorum)", sn.Pod, hostPort(m.IP, m.Port))})
			continue
		}
		if isPod && named.Pod != master.Pod {
			if named.Reachable() && !named.IsMaster() && !sentinelsCanRecover(t, s.Quorum) {
				p.add(Action{Kind: Remonitor, Sentinel: sn.Pod, Master: master.Pod, Reason: fmt.Sprintf(
					"sentinel %s names %s as master, which reports role %s, and no sentinel can fail over from it (none knows a live replica and enough live sentinels for the quorum)", sn.Pod, named.Pod, named.Replication.Role)})
			}
			continue
		}
		if drift := optionDrift(m, s); len(drift) > 0 {
			p.add(Action{Kind: SetOptions, Sentinel: sn.Pod, Options: drift, Reason: fmt.Sprintf("sentinel %s has %s", sn.Pod, describe(drift))})
		}
	}
}

func optionDrift(m SentinelMaster, s Spec) []SentinelOption {
	var drift []SentinelOption
	check := func(name string, have, want int) {
		if want > 0 && have != want {
			drift = append(drift, SentinelOption{Name: name, Value: strconv.Itoa(want)})
		}
	}
	check("quorum", m.Quorum, s.Quorum)
	check("down-after-milliseconds", m.DownAfterMilliseconds, s.DownAfterMilliseconds)
	check("failover-timeout", m.FailoverTimeout, s.FailoverTimeout)
	check("parallel-syncs", m.ParallelSyncs, s.ParallelSyncs)
	return drift
}

func describe(options []SentinelOption) string {
	out := ""
	for i, o := range options {
		if i > 0 {
			out += ", "
		}
		out += o.Name + " to change to " + o.Value
	}
	return out
}

// sentinelsCanRecover reports whether some sentinel can fail over without the operator: it
// knows a replica that is a live pod, and enough other live sentinels to reach the quorum
// (it asks them whether the master is down, and needs their votes). Knowing a replica is not
// enough: sentinels that all restarted while the master was going away may each have adopted
// it, never met another sentinel through a live node, and wait for a quorum that never comes.
func sentinelsCanRecover(t Topology, quorum int) bool {
	for _, sn := range t.Sentinels {
		if !sn.Reachable() || !sn.Monitors {
			continue
		}
		knowsReplica := slices.ContainsFunc(sn.View.Replicas, func(r SentinelPeer) bool {
			n, ok := t.NodeAt(r.IP, r.Port)
			return ok && n.Reachable() && !r.Down
		})
		peers := 0
		for _, p := range sn.View.Sentinels {
			if p.Down {
				continue
			}
			if slices.ContainsFunc(t.Sentinels, func(o Sentinel) bool { return o.Reachable() && o.IP == p.IP && o.Port == p.Port }) {
				peers++
			}
		}
		if knowsReplica && peers+1 >= quorum {
			return true
		}
	}
	return false
}

// sentinelsSeeDown reports whether a sentinel that names the most-voted master judges it down.
func sentinelsSeeDown(t Topology, v SentinelVerdict) bool {
	for _, sn := range t.Sentinels {
		m := sn.View.Master
		if sn.Reachable() && sn.Monitors && m.Down && m.IP == v.LeadingHost && m.Port == v.LeadingPort {
			return true
		}
	}
	return false
}

func firstMonitoring(t Topology) string {
	for _, sn := range t.Sentinels {
		if sn.Reachable() && sn.Monitors {
			return sn.Pod
		}
	}
	return ""
}

func (p *Decision) add(a Action) { p.Actions = append(p.Actions, a) }

func (p *Decision) has(kind ActionKind) bool {
	for _, a := range p.Actions {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

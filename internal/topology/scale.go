package topology

import (
	"fmt"
	"strings"
)

// scaleDown is rule 7, the story of shrinking spec.redis.replicas while the master sits on an
// ordinal that goes away. The StatefulSet removes the highest ordinals; render keeps it at the
// master's ordinal+1 as long as status.master names a node beyond spec.redis.replicas, so that
// the master is never deleted from under its clients. Meanwhile, step by step:
//
//  1. every doomed node gets replica-priority 0 (rule 6, configure), so that the sentinels pick
//     a node that stays;
//  2. once every doomed node has it, and every sentinel has read it, and a replica that stays is
//     in sync, the sentinels are asked for a switchover (they stay the single source of truth
//     for who is master);
//  3. the new master is observed, status.master names it, render lets the StatefulSet shrink.
//
// doomed is false when the master is on an ordinal that stays: nothing of this applies.
func scaleDown(t Topology, s Spec, master string) (actions []Action, waiting string, doomed bool) {
	m, ok := t.Node(master)
	if !ok || !s.doomed(m) {
		return nil, "", false
	}
	var stayingInSync []string
	for _, n := range t.Nodes {
		switch {
		case n.Terminating || !n.Reachable():
			return nil, fmt.Sprintf("master %s is on ordinal %d, beyond spec.redis.replicas %d; waiting for %s to settle before the switchover", master, m.Ordinal, s.Nodes, n.Pod), true
		case n.Pod == master:
		case s.doomed(n):
			if n.Config[ReplicaPriority] != doomedReplicaPriority {
				return nil, fmt.Sprintf("master %s is on ordinal %d, beyond spec.redis.replicas %d; waiting for %s, also going away, to have replica-priority 0 so that the sentinels do not pick it", master, m.Ordinal, s.Nodes, n.Pod), true
			}
			if sn, ok := sentinelUnawareOfPriority(t, n); ok {
				return nil, fmt.Sprintf("master %s is on ordinal %d, beyond spec.redis.replicas %d; waiting for sentinel %s to read replica-priority 0 of %s (it reads replicas' INFO every 10 s)", master, m.Ordinal, s.Nodes, sn, n.Pod), true
			}
		case n.Follows(m) && n.Replication.MasterLinkUp && !n.Replication.MasterSyncInProgress && !n.Unready:
			stayingInSync = append(stayingInSync, n.Pod)
		}
	}
	if len(stayingInSync) == 0 {
		return nil, fmt.Sprintf("master %s is on ordinal %d, beyond spec.redis.replicas %d, and no replica that stays is in sync yet: waiting before the switchover", master, m.Ordinal, s.Nodes), true
	}
	sentinel := firstMonitoring(t)
	if sentinel == "" {
		return nil, fmt.Sprintf("master %s is on ordinal %d, beyond spec.redis.replicas %d, and no sentinel monitors it to ask for a switchover", master, m.Ordinal, s.Nodes), true
	}
	return []Action{{Kind: Switchover, Sentinel: sentinel, Reason: fmt.Sprintf(
		"spec.redis.replicas is %d and master %s is on ordinal %d: asking the sentinels for a switchover to a node that stays (%s in sync) before the StatefulSet shrinks",
		s.Nodes, master, m.Ordinal, strings.Join(stayingInSync, ", "))}}, "", true
}

// sentinelUnawareOfPriority returns a monitoring sentinel that lists n as a live replica with a
// replica-priority other than 0: it could still elect n.
func sentinelUnawareOfPriority(t Topology, n Node) (string, bool) {
	for _, sn := range t.Sentinels {
		if !sn.Reachable() || !sn.Monitors {
			continue
		}
		for _, r := range sn.View.Replicas {
			if n.Is(r.IP, r.Port) && !r.Down && r.Priority != 0 {
				return sn.Pod, true
			}
		}
	}
	return "", false
}

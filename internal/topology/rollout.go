package topology

import (
	"cmp"
	"fmt"
	"slices"
)

// rollout is the next step of rolling a new pod template out to the Redis nodes, or nothing.
// The StatefulSet uses OnDelete so that the order is the operator's: replicas first, one at a
// time, then a switchover asked of the sentinels (they pick the best replica and, being the
// ones that own failover, stay the single source of truth), then the old master, now a replica.
//
// Plan only asks when the RedisFailover is Ready and rules 1-5 found nothing to do, so every
// step starts from one master, every replica in sync and the sentinels agreeing; one restarted
// node at a time is what the PodDisruptionBudget allows too.
func rollout(t Topology, master string) []Action {
	for _, n := range t.Nodes {
		if n.Terminating || !n.Reachable() {
			return nil // a previous step is still under way
		}
	}
	var outdated []Node
	for _, n := range t.Nodes {
		if n.Outdated && n.Pod != master {
			outdated = append(outdated, n)
		}
	}
	if len(outdated) > 0 {
		// Highest ordinal first, like a StatefulSet's own rolling update.
		slices.SortFunc(outdated, func(a, b Node) int { return -cmp.Compare(a.Ordinal, b.Ordinal) })
		n := outdated[0]
		return []Action{{Kind: DeletePod, Node: n.Pod, Reason: fmt.Sprintf(
			"%s runs an older pod template: restarting it while every other node is in sync (replicas first, one at a time)", n.Pod)}}
	}
	m, ok := t.Node(master)
	if !ok || !m.Outdated {
		return nil
	}
	sentinel := firstMonitoring(t)
	if sentinel == "" {
		return nil
	}
	return []Action{{Kind: Switchover, Sentinel: sentinel, Reason: fmt.Sprintf(
		"every replica runs the new pod template and master %s the old one: asking the sentinels for a switchover so that it restarts as a replica", master)}}
}

package topology

import (
	"fmt"
	"strings"
)

// ReplicaPriority is the replica-priority setting, which the plan keeps per node: 0 on a node
// whose ordinal spec.redis.replicas no longer has (the sentinels never promote it, so the
// master never moves onto a node about to be removed), Redis's default elsewhere.
const ReplicaPriority = "replica-priority"

const (
	defaultReplicaPriority = "100"
	doomedReplicaPriority  = "0"
)

// doomed reports whether n's ordinal is beyond spec.redis.replicas: the StatefulSet removes it
// once the master is elsewhere.
func (s Spec) doomed(n Node) bool { return s.Nodes > 0 && n.Ordinal >= s.Nodes }

// desiredConfig is every setting n must have: the live settings and its replica-priority.
func (s Spec) desiredConfig(n Node) []ConfigSetting {
	out := make([]ConfigSetting, 0, len(s.LiveConfig)+1)
	out = append(out, s.LiveConfig...)
	priority := ConfigSetting{Name: ReplicaPriority, Value: defaultReplicaPriority, Field: "spec.redis.replicas"}
	if s.doomed(n) {
		priority.Value = doomedReplicaPriority
	}
	return append(out, priority)
}

// ConfigNames are the settings observe must read with CONFIG GET for configure to compare.
func (s Spec) ConfigNames() []string {
	names := make([]string, 0, len(s.LiveConfig)+1)
	for _, c := range s.LiveConfig {
		names = append(names, c.Name)
	}
	return append(names, ReplicaPriority)
}

// configure is rule 6: one ConfigSet per answering node whose settings differ from the spec, with
// only the differing settings. Level-triggered: it compares what each node reports now, so it is
// idempotent, a restarted node that read an older redis.conf is corrected too, and a node that
// could not be asked is left for the next reconcile. A default the server does not know (an
// older Redis) is skipped; a value the spec sets explicitly is always sent, so that a server
// refusing it says so in an Event instead of being silently ignored.
func configure(t Topology, s Spec) []Action {
	var actions []Action
	for _, n := range t.Nodes {
		if !n.Reachable() || n.Terminating || n.Config == nil {
			continue
		}
		var changes []ConfigSetting
		var why []string
		for _, want := range s.desiredConfig(n) {
			have, known := n.Config[want.Name]
			if have == want.Value || (!known && want.Field == "") {
				continue
			}
			changes = append(changes, want)
			from := "Redis's default"
			if want.Field != "" {
				from = want.Field
			}
			why = append(why, fmt.Sprintf("%s %q (%s) instead of %q", want.Name, want.Value, from, have))
		}
		if len(changes) > 0 {
			actions = append(actions, Action{Kind: ConfigSet, Node: n.Pod, Config: changes, Reason: fmt.Sprintf(
				"setting live on %s without a restart: %s", n.Pod, strings.Join(why, ", "))})
		}
	}
	return actions
}

// HoldPriorities drops replica-priority from the ConfigSet actions while a switchover runs: the
// switchover steers the sentinels with replica-priority itself (and restores it when it ends),
// so setting it back to the spec's value meanwhile would undo its steering.
func HoldPriorities(d Decision) Decision {
	actions := make([]Action, 0, len(d.Actions))
	for _, a := range d.Actions {
		if a.Kind == ConfigSet {
			var kept []ConfigSetting
			for _, c := range a.Config {
				if c.Name != ReplicaPriority {
					kept = append(kept, c)
				}
			}
			if len(kept) == 0 {
				continue
			}
			a.Config = kept
		}
		actions = append(actions, a)
	}
	d.Actions = actions
	return d
}

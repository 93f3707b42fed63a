package topology

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// configured gives n the settings observe read: every live setting of s at its desired value and
// the given replica-priority.
func configured(n Node, s Spec, priority string) Node {
	n.Config = map[string]string{ReplicaPriority: priority}
	for _, c := range s.LiveConfig {
		n.Config[c.Name] = c.Value
	}
	return n
}

var liveSpec = func() Spec {
	s := spec
	s.LiveConfig = []ConfigSetting{
		{Name: "maxmemory", Value: "104857600", Field: "spec.redis.customConfig[0]"},
		{Name: "timeout", Value: "0"},
	}
	return s
}()

func TestConfigure(t *testing.T) {
	steady := func() Topology {
		return Topology{
			Nodes: []Node{
				configured(master(0, 900, "master"), liveSpec, "100"),
				configured(replica(1, ip(0), port, 900, "replica"), liveSpec, "100"),
				configured(replica(2, ip(0), port, 900, "replica"), liveSpec, "100"),
			},
			Sentinels: all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) }),
		}
	}
	tests := []struct {
		name   string
		mutate func(*Topology)
		spec   Spec
		want   []Action
	}{
		{name: "every node has its settings: nothing to do", mutate: func(*Topology) {}, spec: liveSpec},
		{
			name: "a changed value reaches every node that lacks it, the master too, only the differing settings",
			mutate: func(t *Topology) {
				t.Nodes[0].Config["maxmemory"] = "0"
				t.Nodes[2].Config["maxmemory"] = "0"
				t.Nodes[2].Config["timeout"] = "30"
			},
			spec: liveSpec,
			want: []Action{
				{Kind: ConfigSet, Node: "rfr-a-0", Config: []ConfigSetting{liveSpec.LiveConfig[0]}},
				{Kind: ConfigSet, Node: "rfr-a-2", Config: liveSpec.LiveConfig},
			},
		},
		{
			name: "a node whose settings could not be read, or that is going away, is left alone",
			mutate: func(t *Topology) {
				t.Nodes[1].Config = nil
				t.Nodes[2].Terminating = true
				t.Nodes[2].Config["timeout"] = "5"
			},
			spec: func() Spec {
				s := liveSpec
				s.LiveConfig = []ConfigSetting{{Name: "timeout", Value: "0"}}
				return s
			}(),
			want: nil,
		},
		{
			name:   "a default the server does not know is skipped; a value the spec sets is sent anyway so that a refusal is reported",
			mutate: func(t *Topology) { delete(t.Nodes[0].Config, "timeout"); delete(t.Nodes[1].Config, "maxmemory") },
			spec:   liveSpec,
			want:   []Action{{Kind: ConfigSet, Node: "rfr-a-1", Config: []ConfigSetting{liveSpec.LiveConfig[0]}}},
		},
		{
			name:   "nothing while a failover is in progress: the sentinels own the topology",
			mutate: func(t *Topology) { t.Nodes[1].Config["maxmemory"] = "1"; t.Sentinels[0].View.Master.FailingOver = true },
			spec:   liveSpec,
		},
		{
			name:   "scaling from 3 to 2 with the master on 0: the removed node gets replica-priority 0, no switchover",
			mutate: func(*Topology) {},
			spec:   func() Spec { s := liveSpec; s.Nodes = 2; return s }(),
			want: []Action{
				{Kind: ConfigSet, Node: "rfr-a-2", Config: []ConfigSetting{{Name: ReplicaPriority, Value: "0", Field: "spec.redis.replicas"}}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topo := steady()
			tc.mutate(&topo)
			got := Plan(topo, tc.spec, Assess(topo, tc.spec))
			if diff := cmp.Diff(tc.want, got.Actions, cmpopts.IgnoreFields(Action{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			for _, a := range got.Actions {
				if a.Kind == ConfigSet && !strings.Contains(a.Reason, a.Config[0].Name) {
					t.Errorf("reason %q does not name the setting %s", a.Reason, a.Config[0].Name)
				}
			}
		})
	}
}

func TestScaleDownOfTheMastersOrdinal(t *testing.T) {
	twoNodes := func() Spec { s := spec; s.Nodes = 2; return s }()
	// Three nodes, the master on ordinal 2, spec.redis.replicas now 2.
	base := func() Topology {
		topo := Topology{
			Nodes: []Node{
				configured(replica(0, ip(2), port, 900, "replica"), twoNodes, "100"),
				configured(replica(1, ip(2), port, 900, "replica"), twoNodes, "100"),
				configured(master(2, 900, "master"), twoNodes, "0"),
			},
			Sentinels: all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(2), ip(0), ip(1)), 2) }),
		}
		for j := range topo.Sentinels {
			for k := range topo.Sentinels[j].View.Replicas {
				topo.Sentinels[j].View.Replicas[k].Priority = 100
			}
		}
		return topo
	}
	tests := []struct {
		name        string
		topology    func() Topology
		spec        Spec
		want        []Action
		wantWaiting string
	}{
		{
			name:     "the master's ordinal goes away, a replica that stays is in sync: switchover",
			topology: base,
			spec:     twoNodes,
			want:     []Action{{Kind: Switchover, Sentinel: "rfs-a-0"}},
		},
		{
			name:     "spec unchanged: the master stays, nothing to do",
			topology: func() Topology { t := base(); t.Nodes[2].Config[ReplicaPriority] = "100"; return t },
			spec:     spec,
		},
		{
			name: "from 3 to 1: the other doomed replica first gets replica-priority 0, no switchover yet",
			topology: func() Topology {
				t := base()
				t.Nodes[1].Config[ReplicaPriority] = "100"
				return t
			},
			spec: func() Spec { s := spec; s.Nodes = 1; return s }(),
			want: []Action{
				{Kind: ConfigSet, Node: "rfr-a-1", Config: []ConfigSetting{{Name: ReplicaPriority, Value: "0", Field: "spec.redis.replicas"}}},
			},
			wantWaiting: "replica-priority 0",
		},
		{
			name: "from 3 to 1: the doomed replica has priority 0 but a sentinel has not read it yet: wait",
			topology: func() Topology {
				t := base()
				t.Nodes[1].Config[ReplicaPriority] = "0"
				return t
			},
			spec:        func() Spec { s := spec; s.Nodes = 1; return s }(),
			wantWaiting: "to read replica-priority 0",
		},
		{
			name: "from 3 to 1: every sentinel has read it: switchover",
			topology: func() Topology {
				t := base()
				t.Nodes[1].Config[ReplicaPriority] = "0"
				for j := range t.Sentinels {
					t.Sentinels[j].View.Replicas[1].Priority = 0
				}
				return t
			},
			spec: func() Spec { s := spec; s.Nodes = 1; return s }(),
			want: []Action{{Kind: Switchover, Sentinel: "rfs-a-0"}},
		},
		{
			name: "no replica that stays is in sync: wait",
			topology: func() Topology {
				t := base()
				t.Nodes[0].Replication.MasterSyncInProgress = true
				t.Nodes[1].Replication.MasterLinkUp = false
				return t
			},
			spec:        twoNodes,
			wantWaiting: "no replica that stays is in sync",
		},
		{
			name: "a node does not answer: wait",
			topology: func() Topology {
				t := base()
				t.Nodes[1] = unreachable(1, role.Replica)
				return t
			},
			spec:        twoNodes,
			wantWaiting: "to settle",
		},
		{
			name: "a failover is in progress: the sentinels own it",
			topology: func() Topology {
				t := base()
				t.Sentinels[1].View.Master.FailingOver = true
				return t
			},
			spec:        twoNodes,
			wantWaiting: "failover in progress",
		},
		{
			name: "a rollout waits for the scale-down: the outdated replica is not restarted",
			topology: func() Topology {
				t := base()
				t.Nodes[0].Outdated = true
				return t
			},
			spec: twoNodes,
			want: []Action{{Kind: Switchover, Sentinel: "rfs-a-0"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topo := tc.topology()
			got := Plan(topo, tc.spec, Assess(topo, tc.spec))
			if got.Master != "rfr-a-2" && tc.wantWaiting != "failover in progress" {
				t.Errorf("master = %q, want rfr-a-2", got.Master)
			}
			if diff := cmp.Diff(tc.want, got.Actions, cmpopts.IgnoreFields(Action{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			if !strings.Contains(got.Waiting, tc.wantWaiting) || (tc.wantWaiting == "") != (got.Waiting == "") {
				t.Errorf("waiting = %q, want it to say %q", got.Waiting, tc.wantWaiting)
			}
		})
	}
}

func TestHoldPrioritiesKeepsEverythingButReplicaPriority(t *testing.T) {
	priority := ConfigSetting{Name: ReplicaPriority, Value: "100", Field: "spec.redis.replicas"}
	maxmemory := ConfigSetting{Name: "maxmemory", Value: "1", Field: "spec.redis.customConfig[0]"}
	d := Decision{Master: "rfr-a-0", Actions: []Action{
		{Kind: ConfigSet, Node: "rfr-a-1", Config: []ConfigSetting{priority}},
		{Kind: ConfigSet, Node: "rfr-a-2", Config: []ConfigSetting{maxmemory, priority}},
		{Kind: Label, Node: "rfr-a-0", Role: role.Master},
	}}
	got := HoldPriorities(d)
	want := []Action{
		{Kind: ConfigSet, Node: "rfr-a-2", Config: []ConfigSetting{maxmemory}},
		{Kind: Label, Node: "rfr-a-0", Role: role.Master},
	}
	if diff := cmp.Diff(want, got.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

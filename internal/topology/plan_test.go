package topology

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

const port = 6379

var spec = Spec{MasterName: "rf-a", Nodes: 3, Sentinels: 3, Quorum: 2, DownAfterMilliseconds: 3000, FailoverTimeout: 10000, ParallelSyncs: 1}

func ip(i int) string { return fmt.Sprintf("10.0.0.%d", 10+i) }

// master is node i reporting role master at offset.
func master(i int, offset int64, label role.Role) Node {
	return Node{Pod: fmt.Sprintf("rfr-a-%d", i), Ordinal: i, IP: ip(i), Port: port, RoleLabel: label,
		Replication: Replication{Role: role.Master, MasterReplOffset: offset}}
}

// replica is node i following host:p with its link up at offset.
func replica(i int, host string, p int, offset int64, label role.Role) Node {
	return Node{Pod: fmt.Sprintf("rfr-a-%d", i), Ordinal: i, IP: ip(i), Port: port, RoleLabel: label,
		Replication: Replication{Role: role.Replica, MasterHost: host, MasterPort: p,
			MasterLinkUp: host != "", ReplicaOffset: offset}}
}

// fenced is node i as start.sh starts it when no sentinel names another master: a replica of
// itself on loopback, its link down, at offset.
func fenced(i int, offset int64, label role.Role) Node {
	n := replica(i, "127.0.0.1", port, offset, label)
	n.Replication.MasterLinkUp = false
	return n
}

// linkDown is replica i following node m with its link down (its master restarted), at offset.
func linkDown(i, m int, offset int64) Node {
	n := replica(i, ip(m), port, offset, "replica")
	n.Replication.MasterLinkUp = false
	return n
}

func unreachable(i int, label role.Role) Node {
	return Node{Pod: fmt.Sprintf("rfr-a-%d", i), Ordinal: i, IP: ip(i), Port: port, RoleLabel: label, Err: "i/o timeout"}
}

// sentinelNaming is sentinel j monitoring with host as master, knowing the given live replicas.
func sentinelNaming(j int, host string, replicas ...string) Sentinel {
	s := Sentinel{Pod: fmt.Sprintf("rfs-a-%d", j), IP: fmt.Sprintf("10.0.1.%d", j), Port: 26379, Monitors: true,
		View: SentinelView{Master: SentinelMaster{IP: host, Port: port, Quorum: 2,
			DownAfterMilliseconds: 3000, FailoverTimeout: 10000, ParallelSyncs: 1}}}
	for _, r := range replicas {
		s.View.Replicas = append(s.View.Replicas, SentinelPeer{IP: r, Port: port})
	}
	return s
}

// peeredSentinel is sentinelNaming that also knows the two other sentinels, as sentinels of a
// group that has been running do: they can fail over by themselves.
func peeredSentinel(j int, host string, replicas ...string) Sentinel {
	return withPeers(sentinelNaming(j, host, replicas...), 2)
}

func idleSentinel(j int) Sentinel {
	return Sentinel{Pod: fmt.Sprintf("rfs-a-%d", j), IP: fmt.Sprintf("10.0.1.%d", j), Port: 26379}
}

func silentSentinel(j int) Sentinel {
	return Sentinel{Pod: fmt.Sprintf("rfs-a-%d", j), IP: fmt.Sprintf("10.0.1.%d", j), Port: 26379, Err: "connection refused"}
}

func all(f func(j int) Sentinel) []Sentinel { return []Sentinel{f(0), f(1), f(2)} }

func TestPlan(t *testing.T) {
	steady := Topology{
		Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 880, "replica")},
		Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1), ip(2)) }),
	}
	// healthy is a Ready RedisFailover (Assess agrees: the sentinels also see each other) whose
	// given nodes run an older pod template: the starting point of every rollout step.
	healthy := func(outdated ...int) Topology {
		t := Topology{
			Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
			Sentinels: all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) }),
		}
		for _, i := range outdated {
			t.Nodes[i].Outdated = true
		}
		return t
	}
	tests := []struct {
		name        string
		topology    Topology
		wantMaster  string
		want        []Action
		wantWaiting bool
	}{
		{
			name:       "steady state: nothing to do",
			topology:   steady,
			wantMaster: "rfr-a-0",
		},
		{
			name: "bootstrap of fresh pods that all start as empty masters: lowest ordinal, others follow it, sentinels monitor it",
			topology: Topology{
				Nodes:     []Node{master(2, 0, ""), master(0, 0, ""), master(1, 0, "")},
				Sentinels: all(idleSentinel),
			},
			wantMaster: "rfr-a-0",
			want: []Action{
				{Kind: Label, Node: "rfr-a-2", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-0", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-0"},
				{Kind: ReplicaOf, Node: "rfr-a-1", Master: "rfr-a-0"},
			},
			// The sentinels are told once the replicas follow (next row).
			wantWaiting: true,
		},
		{
			name: "bootstrap, second round: the replicas follow, now the sentinels monitor the master",
			topology: Topology{
				Nodes:     []Node{master(0, 0, "master"), replica(1, ip(0), port, 0, "replica"), replica(2, ip(0), port, 0, "replica")},
				Sentinels: all(idleSentinel),
			},
			wantMaster: "rfr-a-0",
			want: []Action{
				{Kind: Monitor, Sentinel: "rfs-a-0", Master: "rfr-a-0"},
				{Kind: Monitor, Sentinel: "rfs-a-1", Master: "rfr-a-0"},
				{Kind: Monitor, Sentinel: "rfs-a-2", Master: "rfr-a-0"},
			},
		},
		{
			name: "no master anywhere and no sentinel knows one: promote the highest offset, not the lowest ordinal",
			topology: Topology{
				Nodes: []Node{replica(0, "10.9.9.9", port, 100, "replica"), replica(1, "10.9.9.9", port, 500, "replica"),
					replica(2, "10.9.9.9", port, 300, "replica")},
				Sentinels: all(idleSentinel),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-1"},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
			},
			wantWaiting: true,
		},
		{
			name: "no master and a node does not answer: wait, it may hold the most data",
			topology: Topology{
				Nodes:     []Node{replica(0, "", 0, 0, ""), replica(1, "", 0, 0, ""), unreachable(2, "")},
				Sentinels: all(idleSentinel),
			},
			wantWaiting: true,
		},
		{
			name: "fresh pods start as masters but one does not answer yet: wait, do not crown the first one up",
			topology: Topology{
				Nodes:     []Node{unreachable(0, ""), master(1, 0, ""), master(2, 0, "")},
				Sentinels: all(idleSentinel),
			},
			wantWaiting: true,
		},
		{
			name: "the sentinels are down and a replica is gone: the master a sentinel vouched for is unknown, wait",
			topology: Topology{
				Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), unreachable(2, "replica")},
				Sentinels: all(silentSentinel),
			},
			wantWaiting: true,
		},
		{
			name: "one sentinel (no quorum) vouches for the master while a replica is gone: keep healing",
			topology: Topology{
				Nodes:     []Node{master(0, 900, "master"), replica(1, "10.0.0.99", port, 0, ""), unreachable(2, "replica")},
				Sentinels: []Sentinel{sentinelNaming(0, ip(0), ip(1)), silentSentinel(1), silentSentinel(2)},
			},
			wantMaster: "rfr-a-0",
			want: []Action{
				{Kind: Label, Node: "rfr-a-1", Role: role.Replica},
				{Kind: ReplicaOf, Node: "rfr-a-1", Master: "rfr-a-0"},
			},
		},
		{
			name: "no master and a pod does not exist yet: wait",
			topology: Topology{
				Nodes:     []Node{replica(0, "", 0, 0, ""), replica(1, "", 0, 0, "")},
				Sentinels: all(idleSentinel),
			},
			wantWaiting: true,
		},
		{
			name: "after a sentinel failover: the returning old master is demoted even with a higher offset, labels follow",
			topology: Topology{
				Nodes:     []Node{master(0, 5000, "master"), master(1, 4000, "replica"), replica(2, ip(1), port, 4000, "replica")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(1), ip(2)) }),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
			},
		},
		{
			name: "a restarted replica still follows the old master's address: point it at the current one",
			topology: Topology{
				Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, "10.0.0.99", port, 0, "")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1)) }),
			},
			wantMaster: "rfr-a-0",
			want: []Action{
				{Kind: Label, Node: "rfr-a-2", Role: role.Replica},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-0"},
			},
		},
		{
			name: "split brain without a sentinel quorum: the master a sentinel names wins over a higher offset",
			topology: Topology{
				Nodes:     []Node{master(0, 9000, "master"), master(1, 100, "replica"), replica(2, ip(1), port, 100, "replica")},
				Sentinels: []Sentinel{sentinelNaming(0, ip(1), ip(2)), silentSentinel(1), silentSentinel(2)},
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
			},
		},
		{
			name: "split brain with no sentinel reachable: the higher offset wins, never the older pod",
			topology: Topology{
				Nodes:     []Node{master(0, 100, "master"), master(1, 9000, "replica"), replica(2, ip(0), port, 100, "replica")},
				Sentinels: all(silentSentinel),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
			},
		},
		{
			name: "sentinels name a master whose server came back as a replica: ask them to fail over, never promote it",
			topology: Topology{
				Nodes:     []Node{replica(0, "", 0, 0, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
				Sentinels: all(func(j int) Sentinel { return peeredSentinel(j, ip(0), ip(1), ip(2)) }),
			},
			want: []Action{{Kind: AskFailover, Sentinel: "rfs-a-0"}},
		},
		{
			name: "bootstrap of fresh pods that all start fenced (replicas of themselves): lowest ordinal is promoted, others follow it",
			topology: Topology{
				Nodes:     []Node{fenced(2, 0, ""), fenced(0, 0, ""), fenced(1, 0, "")},
				Sentinels: all(idleSentinel),
			},
			wantMaster: "rfr-a-0",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-0"},
				{Kind: Label, Node: "rfr-a-2", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-0", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-0"},
				{Kind: ReplicaOf, Node: "rfr-a-1", Master: "rfr-a-0"},
			},
			wantWaiting: true,
		},
		{
			name: "restart with data of every node, sentinels gone: the node with the highest offset is promoted, not the lowest ordinal",
			topology: Topology{
				Nodes:     []Node{fenced(0, 100, "master"), fenced(1, 700, "replica"), fenced(2, 300, "replica")},
				Sentinels: all(silentSentinel),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-1"},
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
			},
		},
		{
			name: "the master restarted in place and came back fenced and empty: ask the sentinels to fail over, never promote it",
			topology: Topology{
				Nodes:     []Node{fenced(0, 0, "master"), linkDown(1, 0, 900), linkDown(2, 0, 880)},
				Sentinels: all(func(j int) Sentinel { return peeredSentinel(j, ip(0), ip(1), ip(2)) }),
			},
			want: []Action{{Kind: AskFailover, Sentinel: "rfs-a-0"}},
		},
		{
			name: "the master restarted in place fenced and a sentinel already judges it down: wait for the sentinels' own failover, ask nothing on top",
			topology: Topology{
				Nodes: []Node{fenced(0, 0, "master"), linkDown(1, 0, 900), linkDown(2, 0, 880)},
				Sentinels: all(func(j int) Sentinel {
					s := peeredSentinel(j, ip(0), ip(1), ip(2))
					s.View.Master.Down = j == 1
					return s
				}),
			},
			wantWaiting: true,
		},
		{
			name: "the master restarted in place and the sentinels know no live replica: the replica with the most data is promoted, the sentinels re-pointed",
			topology: Topology{
				Nodes:     []Node{fenced(0, 0, "master"), linkDown(1, 0, 880), linkDown(2, 0, 900)},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0)) }),
			},
			wantMaster: "rfr-a-2",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-2"},
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-2", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-2"},
				{Kind: ReplicaOf, Node: "rfr-a-1", Master: "rfr-a-2"},
				{Kind: Remonitor, Sentinel: "rfs-a-0", Master: "rfr-a-2"},
				{Kind: Remonitor, Sentinel: "rfs-a-1", Master: "rfr-a-2"},
				{Kind: Remonitor, Sentinel: "rfs-a-2", Master: "rfr-a-2"},
			},
		},
		{
			name: "after the sentinels failed over, the fenced old master is pointed at the new one",
			topology: Topology{
				Nodes:     []Node{fenced(0, 0, "master"), master(1, 900, "replica"), replica(2, ip(1), port, 900, "replica")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(1), ip(2)) }),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
			},
		},
		{
			name: "a replica restarted in place while the sentinels were unreachable came back fenced: point it at the master",
			topology: Topology{
				Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), fenced(2, 0, "replica")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1)) }),
			},
			wantMaster: "rfr-a-0",
			want:       []Action{{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-0"}},
		},
		{
			name: "the master does not answer: the sentinels fail over, the operator does not touch anything",
			topology: Topology{
				Nodes:     []Node{unreachable(0, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1), ip(2)) }),
			},
			wantWaiting: true,
		},
		{
			name: "a failover in progress: hands off",
			topology: func() Topology {
				t := Topology{
					Nodes:     []Node{unreachable(0, "master"), master(1, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
					Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1), ip(2)) }),
				}
				t.Sentinels[1].View.Master.FailingOver = true
				return t
			}(),
			wantWaiting: true,
		},
		{
			name: "a failover in progress whose new master a quorum already names: only the labels follow",
			topology: func() Topology {
				t := Topology{
					Nodes:     []Node{unreachable(0, "master"), master(1, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
					Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(1), ip(2)) }),
				}
				t.Sentinels[0].View.Master.FailingOver = true
				return t
			}(),
			wantMaster:  "rfr-a-1",
			wantWaiting: true,
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
			},
		},
		{
			name: "sentinels name an address no pod has but know a live replica: they will fail over, wait",
			topology: Topology{
				Nodes:     []Node{replica(0, "", 0, 0, ""), replica(1, "10.0.0.99", port, 900, "replica"), replica(2, "10.0.0.99", port, 900, "replica")},
				Sentinels: all(func(j int) Sentinel { return peeredSentinel(j, "10.0.0.99", ip(1), ip(2)) }),
			},
			wantWaiting: true,
		},
		{
			// Seen after a full restart: every sentinel started while the old master was still
			// terminating and answering, adopted it, and never met another sentinel through a live
			// node, so none reaches the quorum to judge it objectively down.
			name: "sentinels name an address no pod has and one knows a live replica but no other sentinel: the nodes decide and the sentinels are re-pointed",
			topology: Topology{
				Nodes:     []Node{fenced(0, 1, ""), replica(1, "10.0.0.99", port, 900, ""), replica(2, "10.0.0.99", port, 880, "")},
				Sentinels: []Sentinel{sentinelNaming(0, "10.0.0.99", ip(2)), sentinelNaming(1, "10.0.0.99"), sentinelNaming(2, "10.0.0.99")},
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-1"},
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-2", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-0", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-1", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-2", Master: "rfr-a-1"},
			},
		},
		{
			name: "sentinels stuck on an address no pod has and no live replica: the nodes decide and the sentinels are re-pointed",
			topology: Topology{
				Nodes:     []Node{replica(0, "", 0, 0, ""), replica(1, "", 0, 700, ""), replica(2, "", 0, 300, "")},
				Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, "10.0.0.99", "10.0.0.98") }),
			},
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Promote, Node: "rfr-a-1"},
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-2", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-0", Master: "rfr-a-1"},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-0", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-1", Master: "rfr-a-1"},
				{Kind: Remonitor, Sentinel: "rfs-a-2", Master: "rfr-a-1"},
			},
		},
		{
			name: "option drift is set on the drifted sentinel only; a sentinel naming another pod is left to converge",
			topology: func() Topology {
				t := steady
				t.Sentinels = all(func(j int) Sentinel { return peeredSentinel(j, ip(0), ip(1), ip(2)) })
				t.Sentinels[0].View.Master.DownAfterMilliseconds = 30000
				t.Sentinels[2] = peeredSentinel(2, ip(1))
				return t
			}(),
			wantMaster: "rfr-a-0",
			want:       []Action{{Kind: SetOptions, Sentinel: "rfs-a-0", Options: []SentinelOption{{Name: "down-after-milliseconds", Value: "3000"}}}},
		},
		{
			name: "a terminating master is not chosen when the nodes decide",
			topology: func() Topology {
				t := Topology{
					Nodes:     []Node{master(0, 900, "master"), master(1, 800, "replica"), replica(2, ip(0), port, 900, "replica")},
					Sentinels: all(silentSentinel),
				}
				t.Nodes[0].Terminating = true
				return t
			}(),
			wantMaster: "rfr-a-1",
			want: []Action{
				{Kind: Label, Node: "rfr-a-0", Role: role.Replica},
				{Kind: Label, Node: "rfr-a-1", Role: role.Master},
				{Kind: ReplicaOf, Node: "rfr-a-2", Master: "rfr-a-1"},
			},
		},
		{
			// The demo's graceful deletion caught this: one sentinel had switched to the promoted
			// replica, two still named the old master, which still answered as master while its
			// preStop hook waited. Demoting the promoted node would undo the handover.
			name: "a handover half-way (a quorum still names the terminating master, one sentinel the promoted one): wait, demote nobody",
			topology: func() Topology {
				t := Topology{
					Nodes: []Node{master(0, 900, "master"), master(1, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
					Sentinels: []Sentinel{sentinelNaming(0, ip(1), ip(0), ip(2)),
						sentinelNaming(1, ip(0), ip(1), ip(2)), sentinelNaming(2, ip(0), ip(1), ip(2))},
				}
				t.Nodes[0].Terminating = true
				return t
			}(),
			wantWaiting: true,
		},
		{
			name: "a quorum names a terminating master and no sentinel names another: it stays the master",
			topology: func() Topology {
				t := Topology{
					Nodes:     []Node{master(0, 900, "master"), master(1, 100, "replica"), replica(2, ip(0), port, 900, "replica")},
					Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1), ip(2)) }),
				}
				t.Nodes[0].Terminating = true
				return t
			}(),
			wantMaster: "rfr-a-0",
			want:       []Action{{Kind: ReplicaOf, Node: "rfr-a-1", Master: "rfr-a-0"}},
		},
		// Rule 6, the rollout of a new pod template: only from a healthy, quiet RedisFailover.
		{name: "rollout: nothing outdated", topology: healthy(), wantMaster: "rfr-a-0"},
		{name: "rollout: replicas first, highest ordinal first", topology: healthy(0, 1, 2), wantMaster: "rfr-a-0",
			want: []Action{{Kind: DeletePod, Node: "rfr-a-2"}}},
		{name: "rollout: then the other replica", topology: healthy(0, 1), wantMaster: "rfr-a-0",
			want: []Action{{Kind: DeletePod, Node: "rfr-a-1"}}},
		{name: "rollout: then a switchover asked of the sentinels, never a restart of the master", topology: healthy(0), wantMaster: "rfr-a-0",
			want: []Action{{Kind: Switchover, Sentinel: "rfs-a-0"}}},
		{name: "rollout: a restart under way: wait", wantMaster: "rfr-a-0", topology: func() Topology {
			t := healthy(0, 1)
			t.Nodes[2].Terminating = true
			return t
		}()},
		{name: "rollout: a node does not answer: wait", wantMaster: "rfr-a-0", topology: func() Topology {
			t := healthy(0, 1)
			t.Nodes[2] = unreachable(2, "replica")
			return t
		}()},
		{name: "rollout: not while something needs healing; the healing comes first", wantMaster: "rfr-a-0", topology: func() Topology {
			t := healthy(0, 1, 2)
			t.Nodes[1].RoleLabel = ""
			return t
		}(), want: []Action{{Kind: Label, Node: "rfr-a-1", Role: role.Replica}}},
		{name: "rollout: not while not Ready, though nothing is left to act on", wantMaster: "rfr-a-0", topology: func() Topology {
			t := healthy(0, 1, 2)
			t.Nodes[2].Unready = true
			return t
		}()},
		{name: "rollout: not while the plan waits", wantWaiting: true, topology: func() Topology {
			t := healthy(0, 1, 2)
			t.Nodes[0] = unreachable(0, "master")
			return t
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Plan(tc.topology, spec, Assess(tc.topology, spec))
			if got.Master != tc.wantMaster {
				t.Errorf("master = %q, want %q (waiting: %s)", got.Master, tc.wantMaster, got.Waiting)
			}
			if diff := cmp.Diff(tc.want, got.Actions, cmpopts.IgnoreFields(Action{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			for _, a := range got.Actions {
				if a.Reason == "" {
					t.Errorf("action %+v has no reason: every action must explain itself in a log line and an Event", a)
				}
			}
			if tc.wantWaiting != (got.Waiting != "") {
				t.Errorf("waiting = %q, want waiting: %v", got.Waiting, tc.wantWaiting)
			}
		})
	}
}

// The plan must reach a fixed point: applying its own actions to the topology and deciding again
// yields nothing more to do. A plan that keeps finding work is how reset loops start.
func TestPlanConvergesAfterItsOwnActions(t *testing.T) {
	topo := Topology{
		Nodes:     []Node{master(0, 5000, "master"), master(1, 4000, ""), replica(2, "10.0.0.99", port, 0, "")},
		Sentinels: []Sentinel{idleSentinel(0), sentinelNaming(1, ip(1), ip(2)), sentinelNaming(2, ip(1), ip(2))},
	}
	for round := 0; round < 3; round++ {
		p := Plan(topo, spec, Assess(topo, spec))
		if len(p.Actions) == 0 {
			if p.Master != "rfr-a-1" {
				t.Fatalf("converged on %q, want the sentinels' choice rfr-a-1", p.Master)
			}
			return
		}
		topo = applyForTest(topo, p)
	}
	t.Fatalf("still acting after 3 rounds: %v", Plan(topo, spec, Assess(topo, spec)).Actions)
}

// applyForTest changes the topology the way the actions would change the real servers.
func applyForTest(t Topology, p Decision) Topology {
	m, _ := t.Node(p.Master)
	for _, a := range p.Actions {
		for i := range t.Nodes {
			n := &t.Nodes[i]
			if n.Pod != a.Node {
				continue
			}
			switch a.Kind {
			case Promote:
				n.Replication = Replication{Role: role.Master, MasterReplOffset: n.Replication.Offset()}
			case ReplicaOf:
				n.Replication = Replication{Role: role.Replica, MasterHost: m.IP, MasterPort: m.Port, MasterLinkUp: true}
			case Label:
				n.RoleLabel = a.Role
			}
		}
		for i := range t.Sentinels {
			if t.Sentinels[i].Pod == a.Sentinel && (a.Kind == Monitor || a.Kind == Remonitor) {
				t.Sentinels[i] = sentinelNaming(i, m.IP)
			}
		}
	}
	return t
}

func sentinelPeer(i int) SentinelPeer {
	return SentinelPeer{IP: fmt.Sprintf("10.0.1.%d", i), Port: 26379}
}

// A master restarted in place whose sentinels know no live replica: the plan promotes the
// replica with the most data, re-points the sentinels and then has nothing more to do. The
// fenced, empty node is never promoted on the way.
func TestPlanAfterARestartInPlaceConvergesOnTheReplicaWithData(t *testing.T) {
	topo := Topology{
		Nodes:     []Node{fenced(0, 0, "master"), linkDown(1, 0, 880), linkDown(2, 0, 900)},
		Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0)) }),
	}
	for round := 0; round < 3; round++ {
		p := Plan(topo, spec, Assess(topo, spec))
		for _, a := range p.Actions {
			if a.Kind == Promote && a.Node == "rfr-a-0" {
				t.Fatalf("round %d promotes the restarted, empty rfr-a-0: %v", round, p.Actions)
			}
		}
		if len(p.Actions) == 0 {
			if p.Master != "rfr-a-2" {
				t.Fatalf("converged on %q, want rfr-a-2, the replica with the highest offset", p.Master)
			}
			return
		}
		topo = applyForTest(topo, p)
	}
	t.Fatalf("still acting after 3 rounds: %v", Plan(topo, spec, Assess(topo, spec)).Actions)
}

// The master's pod was deleted without a grace period (kubectl delete --force, or a lost node):
// its StatefulSet already recreated the pod under the same name, without an address yet, and
// the sentinels still name the old address, which no pod has any more.
func TestPlanMasterPodGone(t *testing.T) {
	gone := Topology{
		Nodes: []Node{
			{Pod: "rfr-a-0", Ordinal: 0, Port: port, RoleLabel: "master", Err: "the pod has no IP yet"},
			replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 880, "replica"),
		},
		Sentinels: all(func(j int) Sentinel { return peeredSentinel(j, ip(0), ip(1), ip(2)) }),
	}
	seenDown := Topology{Nodes: gone.Nodes, Sentinels: all(func(j int) Sentinel {
		s := peeredSentinel(j, ip(0), ip(1), ip(2))
		s.View.Master.Down = j == 2
		return s
	})}
	ours, stock := spec, spec
	ours.SwitchoverPausesWrites = true
	tests := []struct {
		name     string
		topology Topology
		spec     Spec
		want     []Action
	}{
		{
			name:     "our sentinels pause writes in a switchover: ask them for one now instead of waiting down-after",
			topology: gone, spec: ours,
			want: []Action{{Kind: AskFailover, Sentinel: "rfs-a-0"}},
		},
		{
			name:     "stock sentinels would promote at once and lose what the replica lacks: wait for their own failover",
			topology: gone, spec: stock,
		},
		{
			name:     "a sentinel already judges the old master down: its own failover is coming, ask nothing on top",
			topology: seenDown, spec: ours,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Plan(tc.topology, tc.spec, Assess(tc.topology, tc.spec))
			if diff := cmp.Diff(tc.want, got.Actions, cmpopts.IgnoreFields(Action{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			if len(got.Actions) == 0 && got.Waiting == "" {
				t.Errorf("neither an action nor a reason to wait")
			}
			if got.Master != "" {
				t.Errorf("master = %q while the sentinels name a gone address", got.Master)
			}
		})
	}
}

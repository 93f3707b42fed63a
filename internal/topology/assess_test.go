package topology

import (
	"strings"
	"testing"
)

func TestAssess(t *testing.T) {
	healthy := Topology{
		Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 880, "replica")},
		Sentinels: all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) }),
	}
	tests := []struct {
		name                             string
		topology                         Topology
		wantMaster                       string
		wantInSync, wantAgree, wantReady bool
		wantAgreeing                     int
		wantProblem                      string // a substring of some NotInSync or SentinelProblems entry
	}{
		{name: "healthy", topology: healthy, wantMaster: "rfr-a-0", wantInSync: true, wantAgree: true, wantReady: true, wantAgreeing: 3},
		{
			name: "no master: not ready, truthfully",
			topology: Topology{Nodes: []Node{unreachable(0, ""), unreachable(1, ""), unreachable(2, "")},
				Sentinels: all(idleSentinel)},
			wantProblem: "does not monitor",
		},
		{
			name: "two masters: no master recognised",
			topology: Topology{Nodes: []Node{master(0, 1, ""), master(1, 1, ""), replica(2, ip(0), port, 1, "")},
				Sentinels: healthy.Sentinels},
			wantProblem: "names 10.0.0.10:6379",
		},
		{
			name: "a replica with its link down is not in sync",
			topology: func() Topology {
				t := healthy
				t.Nodes = []Node{master(0, 900, ""), replica(1, ip(0), port, 900, ""), replica(2, ip(0), port, 100, "")}
				t.Nodes[2].Replication.MasterLinkUp = false
				return t
			}(),
			wantMaster: "rfr-a-0", wantAgree: true, wantAgreeing: 3, wantProblem: "rfr-a-2 has its link to the master down",
		},
		{
			name: "Redis says in sync but the kubelet has not marked a replica Ready: the Services do not route to it yet",
			topology: func() Topology {
				t := healthy
				t.Nodes = []Node{master(0, 900, ""), replica(1, ip(0), port, 900, ""), replica(2, ip(0), port, 900, "")}
				t.Nodes[1].Unready = true
				return t
			}(),
			wantMaster: "rfr-a-0", wantAgree: true, wantAgreeing: 3, wantProblem: "pod rfr-a-1 is not Ready yet",
		},
		{
			name: "a replica whose pod is terminating still answers in sync, but the group is not Ready: it is going away",
			topology: func() Topology {
				t := healthy
				t.Nodes = []Node{master(0, 900, ""), replica(1, ip(0), port, 900, ""), replica(2, ip(0), port, 900, "")}
				t.Nodes[2].Terminating = true
				return t
			}(),
			wantMaster: "rfr-a-0", wantAgree: true, wantAgreeing: 3, wantProblem: "pod rfr-a-2 is terminating",
		},
		{
			name: "a sentinel that sees a stale replica instead of a live one does not agree fully",
			topology: func() Topology {
				t := healthy
				t.Sentinels = all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) })
				t.Sentinels[1] = withPeers(sentinelNaming(1, ip(0), ip(1), "10.0.0.99"), 2)
				return t
			}(),
			wantMaster: "rfr-a-0", wantInSync: true, wantAgreeing: 3, wantProblem: "sees 1 live replicas, expected 2",
		},
		{
			name: "a sentinel that learned another cluster's replica is flagged (the merge peers suffer from)",
			topology: func() Topology {
				t := healthy
				t.Sentinels = all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) })
				t.Sentinels[0] = withPeers(sentinelNaming(0, ip(0), ip(1), ip(2), "10.0.7.7"), 2)
				return t
			}(),
			wantMaster: "rfr-a-0", wantInSync: true, wantAgreeing: 3, wantProblem: "knows replica 10.0.7.7:6379, which is no Redis pod",
		},
		{
			name: "a sentinel naming another node",
			topology: func() Topology {
				t := healthy
				t.Sentinels = all(func(j int) Sentinel { return withPeers(sentinelNaming(j, ip(0), ip(1), ip(2)), 2) })
				t.Sentinels[2] = withPeers(sentinelNaming(2, ip(1), ip(0), ip(2)), 2)
				return t
			}(),
			wantMaster: "rfr-a-0", wantInSync: true, wantAgreeing: 2, wantProblem: "rfs-a-2 names 10.0.0.11:6379",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Assess(tc.topology, spec)
			if h.Master != tc.wantMaster || h.ReplicasInSync() != tc.wantInSync || h.SentinelsAgree() != tc.wantAgree ||
				h.Ready() != tc.wantReady || h.Agreeing != tc.wantAgreeing {
				t.Errorf("got master=%q inSync=%v agree=%v ready=%v agreeing=%d; want %q %v %v %v %d\nproblems: %v %v",
					h.Master, h.ReplicasInSync(), h.SentinelsAgree(), h.Ready(), h.Agreeing,
					tc.wantMaster, tc.wantInSync, tc.wantAgree, tc.wantReady, tc.wantAgreeing, h.NotInSync, h.SentinelProblems)
			}
			if tc.wantProblem != "" && !strings.Contains(Summary(append(h.NotInSync, h.SentinelProblems...)), tc.wantProblem) {
				t.Errorf("problems %v %v do not mention %q", h.NotInSync, h.SentinelProblems, tc.wantProblem)
			}
			if tc.wantReady && (len(h.NotInSync) > 0 || len(h.SentinelProblems) > 0) {
				t.Errorf("ready with problems: %v %v", h.NotInSync, h.SentinelProblems)
			}
		})
	}
	lag := Assess(healthy, spec)
	if got := lag.Nodes[2].LagBytes; got != 20 {
		t.Errorf("lag of rfr-a-2 = %d bytes, want 900-880 = 20", got)
	}
}

// withPeers makes s know n other sentinels: the sentinel pods 10.0.1.k other than itself.
func withPeers(s Sentinel, n int) Sentinel {
	for k := 0; len(s.View.Sentinels) < n; k++ {
		if peer := sentinelPeer(k); peer.IP != s.IP {
			s.View.Sentinels = append(s.View.Sentinels, peer)
		}
	}
	return s
}

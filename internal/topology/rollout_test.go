package topology

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRollout(t *testing.T) {
	healthy := func(outdated ...int) Topology {
		t := Topology{
			Nodes:     []Node{master(0, 900, "master"), replica(1, ip(0), port, 900, "replica"), replica(2, ip(0), port, 900, "replica")},
			Sentinels: all(func(j int) Sentinel { return sentinelNaming(j, ip(0), ip(1), ip(2)) }),
		}
		for _, i := range outdated {
			t.Nodes[i].Outdated = true
		}
		return t
	}
	tests := []struct {
		name     string
		topology Topology
		want     []Action
	}{
		{name: "nothing outdated", topology: healthy()},
		{name: "replicas first, highest ordinal first", topology: healthy(0, 1, 2),
			want: []Action{{Kind: DeletePod, Node: "rfr-a-2"}}},
		{name: "then the other replica", topology: healthy(0, 1),
			want: []Action{{Kind: DeletePod, Node: "rfr-a-1"}}},
		{name: "then a switchover asked of the sentinels, never a restart of the master", topology: healthy(0),
			want: []Action{{Kind: Switchover, Sentinel: "rfs-a-0"}}},
		{name: "a restart under way: wait", topology: func() Topology {
			t := healthy(0, 1)
			t.Nodes[2].Terminating = true
			return t
		}()},
		{name: "a node does not answer: wait", topology: func() Topology {
			t := healthy(0, 1)
			t.Nodes[2] = unreachable(2, "replica")
			return t
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Rollout(tc.topology, "rfr-a-0")
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Action{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			for _, a := range got {
				if a.Reason == "" {
					t.Errorf("action %+v has no reason", a)
				}
			}
		})
	}
}

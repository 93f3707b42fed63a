package sentinel

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// nodeInfo is a node's INFO as Redis writes it: role master with replicas, or a replica of
// master (link up or down), with an offset and keys.
func nodeInfo(master *Addr, linkUp bool, offset, keys int64, replicas ...Addr) string {
	var b strings.Builder
	b.WriteString("# Replication\r\n")
	if master == nil {
		b.WriteString("role:master\r\n")
		for i, r := range replicas {
			fmt.Fprintf(&b, "slave%d:ip=%s,port=%d,state=online,offset=%d,lag=0\r\n", i, r.Host, r.Port, offset)
		}
		fmt.Fprintf(&b, "master_repl_offset:%d\r\n", offset)
	} else {
		link := "down"
		if linkUp {
			link = "up"
		}
		fmt.Fprintf(&b, "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\nslave_repl_offset:%d\r\n",
			master.Host, master.Port, link, offset)
	}
	if keys > 0 {
		fmt.Fprintf(&b, "# Keyspace\r\ndb0:keys=%d,expires=0,avg_ttl=0\r\n", keys)
	}
	return b.String()
}

func TestDiscover(t *testing.T) {
	a, b, c := Addr{"10.0.0.1", 6379}, Addr{"10.0.0.2", 6379}, Addr{"10.0.0.3", 6379}
	gone := Addr{"10.0.0.9", 6379}
	self := func(n Addr) *Addr { return &n }
	lo := &Addr{"127.0.0.1", 6379}
	down := errors.New("connection refused")
	cases := []struct {
		name         string
		peers        []PeerView
		nodes        []NodeView
		want         Addr
		wantReplicas []Addr
		reason       string // a part of the reason
	}{
		{
			name: "the peers' view wins over the nodes', highest config epoch first",
			peers: []PeerView{
				{Addr: "10.1.0.1:26379", Monitors: true, Master: a, ConfigEpoch: 3},
				{Addr: "10.1.0.2:26379", Monitors: true, Master: b, ConfigEpoch: 4},
				{Addr: "10.1.0.3:26379", Err: down},
			},
			nodes: []NodeView{{Addr: a, Info: nodeInfo(nil, false, 100, 5)}},
			want:  b, reason: "config epoch 4",
		},
		{
			name:  "the peers' master with the nodes that follow it, for when it does not answer",
			peers: []PeerView{{Addr: "10.1.0.1:26379", Monitors: true, Master: gone, ConfigEpoch: 1}},
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(&gone, false, 100, 5)},
				{Addr: b, Info: nodeInfo(self(b), false, 0, 0)},
				{Addr: c, Info: nodeInfo(&gone, false, 100, 5)},
			},
			want: gone, wantReplicas: []Addr{a, c},
		},
		{
			name: "equal epochs: the master most peers name",
			peers: []PeerView{
				{Addr: "10.1.0.1:26379", Monitors: true, Master: b, ConfigEpoch: 2},
				{Addr: "10.1.0.2:26379", Monitors: true, Master: a, ConfigEpoch: 2},
				{Addr: "10.1.0.3:26379", Monitors: true, Master: a, ConfigEpoch: 2},
			},
			want: a,
		},
		{
			name:  "peers that monitor nothing: the live master with its replicas",
			peers: []PeerView{{Addr: "10.1.0.1:26379"}, {Addr: "10.1.0.2:26379", Err: down}},
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(&b, true, 90, 5)},
				{Addr: b, Info: nodeInfo(nil, false, 100, 5, a, c)},
				{Addr: c, Info: nodeInfo(&b, true, 100, 5)},
			},
			want: b, reason: "2 replica(s)",
		},
		{
			name: "an empty master is not adopted while a node has data",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(nil, false, 0, 0)},
				{Addr: b, Info: nodeInfo(self(b), false, 500, 40)},
			},
			reason: "only empty node(s) report role master (10.0.0.1:6379)",
		},
		{
			name: "an empty master is adopted when every node is empty (a new group)",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(nil, false, 0, 0)},
				{Addr: b, Info: nodeInfo(&a, true, 0, 0)},
			},
			want: a,
		},
		{
			name: "two masters: the one the replicas follow",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(nil, false, 900, 50)},
				{Addr: b, Info: nodeInfo(nil, false, 100, 5, c)},
				{Addr: c, Info: nodeInfo(&b, true, 100, 5)},
			},
			want: b,
		},
		{
			name: "the master is gone: monitor it with its followers, and the sentinels fail over",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(&gone, false, 100, 5)},
				{Addr: b, Info: nodeInfo(&gone, false, 90, 5)},
				{Addr: c, Err: down},
			},
			want: gone, wantReplicas: []Addr{a, b}, reason: "which is gone or fenced",
		},
		{
			name: "the master came back fenced: the same, its followers known",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(self(a), false, 0, 0)},
				{Addr: b, Info: nodeInfo(&a, false, 100, 5)},
				{Addr: c, Info: nodeInfo(&a, false, 100, 5)},
			},
			want: a, wantReplicas: []Addr{b, c},
		},
		{
			name: "every node fenced: nothing adopted, the operator picks",
			nodes: []NodeView{
				{Addr: a, Info: nodeInfo(lo, false, 100, 5)},
				{Addr: b, Info: nodeInfo(self(b), false, 90, 5)},
			},
			reason: "10.0.0.1:6379, 10.0.0.2:6379 fenced",
		},
		{
			name:   "nothing answers",
			nodes:  []NodeView{{Addr: a, Err: down}},
			reason: "no Redis node answers (1 tried: 10.0.0.1:6379)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Discover(tc.peers, tc.nodes)
			if got.Master != tc.want || !slices.Equal(got.Replicas, tc.wantReplicas) {
				t.Errorf("Discover = %v with replicas %v (%s), want %v with %v", got.Master, got.Replicas, got.Reason, tc.want, tc.wantReplicas)
			}
			if !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", got.Reason, tc.reason)
			}
		})
	}
}

func TestParseDiscoverySettings(t *testing.T) {
	for _, tc := range []struct {
		name, text  string
		wantQuorum  int
		wantOptions [][]string
		wantRenames map[string]string
		wantErr     string // substring; empty = no error
	}{
		{name: "quorum and options in file order", text: "quorum 2\ndown-after-milliseconds 3000\nfailover-timeout 10000\n",
			wantQuorum: 2, wantOptions: [][]string{{"down-after-milliseconds", "3000"}, {"failover-timeout", "10000"}}, wantRenames: map[string]string{}},
		{name: "comments and blank lines skipped", text: "# written by the operator\n\n  quorum 1  \n",
			wantQuorum: 1, wantRenames: map[string]string{}},
		{name: "rename-command is an option and a rename", text: "quorum 2\nrename-command config c0nf1g\n",
			wantQuorum: 2, wantOptions: [][]string{{"rename-command", "config", "c0nf1g"}}, wantRenames: map[string]string{"CONFIG": "c0nf1g"}},
		{name: "no quorum", text: "down-after-milliseconds 3000\n", wantErr: "no quorum line"},
		{name: "quorum not a number", text: "quorum two\n", wantErr: `line 1: quorum "two": want a positive number`},
		{name: "quorum zero", text: "quorum 0\n", wantErr: "want a positive number"},
		{name: "option without a value", text: "quorum 2\nfailover-timeout\n", wantErr: "line 2"},
		{name: "rename-command without its new name", text: "quorum 2\nrename-command CONFIG\n", wantErr: "rename-command takes a command and its new name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDiscoverySettings("discovery.conf", tc.text)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "discovery.conf") {
					t.Fatalf("error %v, want one naming the file and saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.quorum != tc.wantQuorum || !slices.EqualFunc(got.options, tc.wantOptions, slices.Equal) || !maps.Equal(got.renames, tc.wantRenames) {
				t.Errorf("got quorum %d, options %q, renames %v; want %d, %q, %v", got.quorum, got.options, got.renames, tc.wantQuorum, tc.wantOptions, tc.wantRenames)
			}
		})
	}
}

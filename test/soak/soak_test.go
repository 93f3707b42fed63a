package main

import (
	"testing"
	"time"
)

func TestFirstStartedAfter(t *testing.T) {
	base := time.UnixMilli(1_000_000)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	acks := []ack{{seq: 1, start: at(0)}, {seq: 2, start: at(20)}, {seq: 3, start: at(40)}}
	cases := []struct {
		name    string
		after   time.Time
		wantSeq int64 // 0: none
	}{
		{"before every write", at(-5), 1},
		{"between two writes", at(25), 3},
		{"the same millisecond as a send does not count", at(20).Add(300 * time.Microsecond), 3},
		{"after the last write", at(40), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := firstStartedAfter(acks, tc.after)
			if tc.wantSeq == 0 {
				if ok {
					t.Fatalf("got seq %d, want none", a.seq)
				}
				return
			}
			if !ok || a.seq != tc.wantSeq {
				t.Fatalf("got seq %d (found %v), want %d", a.seq, ok, tc.wantSeq)
			}
		})
	}
	if _, ok := firstStartedAfter(nil, base); ok {
		t.Fatal("found an ack in an empty list")
	}
}

func TestMedianMax(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	cases := []struct {
		in       []time.Duration
		med, max time.Duration
		ok       bool
	}{
		{nil, 0, 0, false},
		{ms(5), 5 * time.Millisecond, 5 * time.Millisecond, true},
		{ms(30, 10, 20), 20 * time.Millisecond, 30 * time.Millisecond, true},
		{ms(40, 10, 20, 30), 25 * time.Millisecond, 40 * time.Millisecond, true},
	}
	for _, tc := range cases {
		med, maxD, ok := medianMax(tc.in)
		if med != tc.med || maxD != tc.max || ok != tc.ok {
			t.Errorf("medianMax(%v) = %v, %v, %v; want %v, %v, %v", tc.in, med, maxD, ok, tc.med, tc.max, tc.ok)
		}
	}
}

func TestOursProblems(t *testing.T) {
	ours := impl{name: "ours", binary: "bin/redis-failover-sentinel"}
	stock := impl{name: "redis-sentinel 7.0.15"}
	kinds := []clientKind{{name: "node-redis"}}
	rep := &report{impls: []impl{stock, ours}, kinds: kinds, results: map[string]map[string]*clientResult{
		stock.name: {"node-redis": {kills: 2, recoveries: ms2(1), stalls: []stall{{kill: 2}}, lost: 3}},
		ours.name:  {"node-redis": {kills: 2, recoveries: ms2(2)}},
	}}
	if bad := rep.oursProblems(); len(bad) != 0 {
		t.Fatalf("stock's stall and loss were blamed on ours: %v", bad)
	}
	rep.results[ours.name]["node-redis"] = &clientResult{kills: 2, recoveries: ms2(1), stalls: []stall{{kill: 1}}, lost: 1}
	if bad := rep.oursProblems(); len(bad) != 2 {
		t.Fatalf("want a stall and a loss reported, got %v", bad)
	}
}

func ms2(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Second
	}
	return out
}

func TestSummaryCountsExtraFailoversAndSplitVotes(t *testing.T) {
	topo := &topology{perKill: map[int]*killEvents{}}
	topo.count("+switch-master", "before any kill") // not counted
	topo.startKill(1)
	// Three sentinels announce the same switch: one failover.
	for i := 0; i < 3; i++ {
		topo.count("+switch-master", "mymaster 127.0.0.1 1 127.0.0.1 2")
	}
	topo.startKill(2)
	topo.count("-failover-abort-not-elected", "master mymaster 127.0.0.1 2")
	topo.count("-failover-abort-no-good-slave", "master mymaster 127.0.0.1 2")
	topo.count("+switch-master", "mymaster 127.0.0.1 2 127.0.0.1 3")
	topo.count("+switch-master", "mymaster 127.0.0.1 3 127.0.0.1 1") // a second failover
	got := topo.summary()
	if got.extraFailovers != 1 || len(got.extraAt) != 1 || got.extraAt[0] != 2 {
		t.Errorf("extra failovers %d at %v, want 1 at kill 2", got.extraFailovers, got.extraAt)
	}
	if got.notElected != 1 || got.otherAborts != 1 {
		t.Errorf("not elected %d, other aborts %d; want 1 and 1", got.notElected, got.otherAborts)
	}
}

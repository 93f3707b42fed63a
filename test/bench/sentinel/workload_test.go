package main

import (
	"errors"
	"testing"
	"time"
)

func TestLostAcks(t *testing.T) {
	set := func(seq, prev int64) op { return op{kind: "set", seq: seq, reply: prev} }
	incr := func(v int64) op { return op{kind: "incr", reply: v} }
	failed := func(o op) op { o.err = errors.New("connection refused"); return o }
	cases := []struct {
		name              string
		ops               []op
		wantSet, wantIncr int
	}{
		{"nothing lost", []op{set(1, 0), incr(1), set(2, 1), incr(2), set(3, 2), incr(3)}, 0, 0},
		{"failed ops are not acks", []op{set(1, 0), incr(1), failed(set(2, 0)), failed(incr(0)), set(3, 1), incr(2)}, 0, 0},
		// The new master had seq 3 and counter 3: the acked 4, 5 and increments 4, 5 are gone.
		{"switch to a stale replica", []op{set(1, 0), incr(1), set(2, 1), incr(2), set(3, 2), incr(3),
			set(4, 3), incr(4), set(5, 4), incr(5), set(6, 3), incr(4)}, 2, 2},
		// A second switch to a node that has nothing loses what survived the first one too.
		{"two switches", []op{set(1, 0), incr(1), set(2, 1), incr(2), set(3, 1), incr(2), set(4, 3), incr(3),
			set(5, 0), incr(1)}, 1 + 3, 1 + 3},
		{"an unacked write that landed is no loss", []op{set(1, 0), failed(set(2, 0)), set(3, 2)}, 0, 0},
	}
	for _, c := range cases {
		gotSet, gotIncr := lostAcks(c.ops)
		if gotSet != c.wantSet || gotIncr != c.wantIncr {
			t.Errorf("%s: lost SET %d INCR %d, want %d and %d", c.name, gotSet, gotIncr, c.wantSet, c.wantIncr)
		}
	}
}

func TestClientTimes(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ops := []op{
		{kind: "set", end: at(-10), server: "old"},
		{kind: "set", end: at(5), server: "old"}, // acked by the old master after the fault
		{kind: "set", end: at(900), server: "", err: errors.New("refused")},
		{kind: "set", end: at(2000), server: "new"},
		{kind: "set", end: at(2010), server: "new"},
	}
	var r result
	clientTimes(&r, ops, t0, "old")
	if r.faultToFirstOK != 2000*time.Millisecond || r.writeGap != 1995*time.Millisecond || r.oldAcksAfter != 1 || r.failedOps != 1 {
		t.Fatalf("got first ok %v, gap %v, old acks %d, failed %d; want 2s, 1.995s, 1, 1",
			r.faultToFirstOK, r.writeGap, r.oldAcksAfter, r.failedOps)
	}
}

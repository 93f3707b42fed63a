package sentinel

import (
	"testing"
	"time"
)

// A completed failover lets the next one start at once, as sentinelResetMaster does in
// sentinel.c ("We can failover again ASAP"): the 2*failover-timeout wait is for retrying a
// failover that did not complete, not for a new master that dies soon after its promotion.

func TestNewMasterKilledRightAfterAFailoverFailsOverAgain(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100, 100)
	w.kill(m)
	w.advance(3 * time.Second)
	if w.eventCount("+failover-end") != 1 {
		t.Fatalf("first failover did not end; events %v", w.events)
	}
	first := w.masterAddr()
	var newMaster, other *fakeRedis
	for _, r := range reps {
		if r.addr == first {
			newMaster = r
		} else {
			other = r
		}
	}
	if newMaster == nil {
		t.Fatalf("master %v is none of the replicas", first)
	}

	// Killed well within 2*failover-timeout (20 s here) of the first failover's start.
	w.kill(newMaster)
	w.advance(4 * time.Second)
	if n := w.eventCount("+failover-end"); n != 2 {
		t.Fatalf("%d failovers ended, want 2; events %v", n, w.events)
	}
	if got := w.masterAddr(); got != other.addr {
		t.Fatalf("master is %v after the second kill, want %v", got, other.addr)
	}
}

func TestObserverFailsOverANewMasterRightAfterAdoptingIt(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	b := peers[0]
	// This sentinel votes for b in epoch 1, which keeps it from competing with b for a while...
	v, e := w.s.Command([]string{"is-master-down-by-addr", m.addr.Host, "6379", "1", b.runID}, w.now)
	w.run(e)
	if len(v.Elems) != 3 || v.Elems[1].Str != b.runID {
		t.Fatalf("vote reply %+v, want a vote for %s", v, b.runID)
	}
	// ...then learns from b's hello that b promoted reps[0].
	m.alive = false
	w.run(w.s.LinkDown(m.addr, w.now))
	reps[0].master = nil
	reps[1].master = &reps[0].addr
	h := Hello{Addr: b.addr, RunID: b.runID, CurrentEpoch: 1, MasterName: "mymaster", MasterAddr: reps[0].addr, MasterConfigEpoch: 1}
	w.run(w.s.HandleHello(h.String(), Addr{}, w.now))
	if w.masterAddr() != reps[0].addr {
		t.Fatalf("hello not adopted: master %v", w.masterAddr())
	}
	w.connectAll()
	w.advance(2 * time.Second)

	// The new master dies; the peers agree and vote for this sentinel.
	for _, p := range peers {
		p.down = true
	}
	w.kill(reps[0])
	w.advance(4 * time.Second)
	if w.eventCount("+try-failover") != 1 {
		t.Fatalf("no failover of the new master; events %v", w.events)
	}
	if reps[1].promotions != 1 || w.masterAddr() != reps[1].addr {
		t.Fatalf("reps[1] not promoted (promotions %d, master %v); events %v", reps[1].promotions, w.masterAddr(), w.events)
	}
	if w.s.Masters["mymaster"].inFailover() {
		t.Fatalf("failover still in progress; events %v", w.events)
	}
}

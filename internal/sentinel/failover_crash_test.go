package sentinel

import (
	"strings"
	"testing"
	"time"
)

// The crash path: the master's process dies and comes back in place within down-after, fenced
// (a replica of itself, empty, its master link down), as start.sh starts every Redis node.

func TestMasterRestartedFencedIsDownAtOnceAndTheReplicaWithMostDataWins(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100, 100)
	reps[0].offset, reps[1].offset = 1000, 900
	w.advance(1100 * time.Millisecond) // replicas' INFO with these offsets
	w.kill(m)
	w.advance(downAfter / 2) // back well within down-after: PINGs are answered again
	w.restartFenced(m)
	restarted := w.now
	// Stock Sentinel waits down-after + 2 info periods (21 s here) for a master that reports
	// role slave; a fenced restart is down at the next tick.
	for w.eventCount("+sdown") == 0 && w.now.Sub(restarted) < downAfter {
		w.advance(100 * time.Millisecond)
	}
	if w.eventCount("+reboot") != 1 || w.eventCount("+sdown") != 1 {
		t.Fatalf("a fenced restarted master was not judged down before down-after; events %v", w.events)
	}
	w.advance(2 * time.Second)
	if reps[0].promotions != 1 || reps[1].promotions != 0 {
		t.Fatalf("promotions %d (offset 1000) and %d (offset 900), want the replica with the most data; events %v",
			reps[0].promotions, reps[1].promotions, w.events)
	}
	if m.master == nil || *m.master != reps[0].addr {
		t.Fatalf("the restarted node follows %v, want the new master %v", m.master, reps[0].addr)
	}
	if n := w.eventCount("+failover-state-pause-master"); n != 0 {
		t.Fatalf("paused a fenced node %d times; events %v", n, w.events)
	}
}

func TestMasterFoundFencedIsDownAtOnceThoughNoRestartWasSeen(t *testing.T) {
	// A sentinel that discovered its master (a new pod) never knew the old run_id, so it
	// sees no +reboot: a master that reports being a replica of itself is start.sh's fence
	// all the same, and waiting out stock's grace (21 s here) would only keep clients waiting.
	w, m, reps := setupOneSentinel(t, 100, 100)
	reps[0].offset, reps[1].offset = 900, 1000
	mm := w.s.Masters["mymaster"]
	for _, r := range mm.Replicas {
		r.infoRefresh = time.Time{} // INFO with these offsets at the next tick
	}
	w.advance(200 * time.Millisecond)
	self := m.addr
	m.master, m.linkUp, m.offset = &self, false, 0
	mm.infoRefresh = time.Time{}
	found := w.now
	for w.eventCount("+sdown") == 0 && w.now.Sub(found) < downAfter {
		w.advance(100 * time.Millisecond)
	}
	if w.eventCount("+reboot") != 0 || w.eventCount("+sdown") != 1 {
		t.Fatalf("a master found fenced was not judged down before down-after; events %v", w.events)
	}
	w.advance(2 * time.Second)
	if reps[1].promotions != 1 || reps[0].promotions != 0 {
		t.Fatalf("promotions %d (offset 900) and %d (offset 1000), want the replica with the most data; events %v",
			reps[0].promotions, reps[1].promotions, w.events)
	}
}

func TestDemotedMasterKeepsTheGraceOfStockSentinel(t *testing.T) {
	// Without a restart, a master reporting role slave was demoted on purpose (an operator, a
	// failover this sentinel has not heard of): it gets down-after + 2 info periods, as in
	// sentinel.c, to learn where the master went.
	w, m, reps := setupOneSentinel(t, 100)
	m.master, m.linkUp = &reps[0].addr, false
	w.s.Masters["mymaster"].infoRefresh = time.Time{} // the next tick reads the master's INFO
	w.advance(200 * time.Millisecond)
	demoted := w.now
	grace := downAfter + 2*w.s.Params.InfoPeriod
	masterDown := func() bool {
		for _, e := range w.events {
			if e.Type == "+sdown" && e.Msg == "master mymaster 127.0.0.1 6379" {
				return true
			}
		}
		return false
	}
	for !masterDown() && w.now.Sub(demoted) < grace+time.Second {
		w.advance(100 * time.Millisecond)
	}
	if _, ok := w.event("-role-change"); !ok {
		t.Fatalf("role change not seen; events %v", w.events)
	}
	if !masterDown() {
		t.Fatalf("a master reporting role slave was never judged down; events %v", w.events)
	}
	if d := w.now.Sub(demoted); d < grace {
		t.Fatalf("+sdown %v after the demotion, before the grace of %v", d, grace)
	}
}

func TestForcedFailoverOfAFencedMasterSkipsPauseAndCatchUp(t *testing.T) {
	// SENTINEL FAILOVER (the operator's request) for a master that reports role slave: there is
	// no write to pause and nothing to catch up with, so the replica with the most data is
	// promoted at once instead of waiting for a catch-up that never comes.
	w, m, reps := setupOneSentinel(t, 100, 100)
	reps[0].offset, reps[1].offset = 800, 1000
	// Demoted without a restart, towards an address that does not answer: no SDOWN yet (a
	// replica of itself would be judged down at once, see the test below).
	nowhere := Addr{"127.0.0.1", 1}
	m.master, m.linkUp = &nowhere, false
	mm := w.s.Masters["mymaster"]
	for _, r := range mm.Replicas {
		r.infoRefresh = time.Time{}
	}
	mm.infoRefresh = time.Time{}
	w.advance(200 * time.Millisecond)
	if mm.roleReported != RoleReplica || mm.has(flagSDown) {
		t.Fatalf("setup: role reported %v, flags %s", mm.roleReported, mm.flagsString(w.s.link(mm.Instance)))
	}
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	w.advance(300 * time.Millisecond)
	if reps[1].promotions != 1 || reps[0].promotions != 0 {
		t.Fatalf("promotions %d (offset 800) and %d (offset 1000); events %v", reps[0].promotions, reps[1].promotions, w.events)
	}
	for _, c := range w.sent {
		if c.Op == OpPauseWrites {
			t.Fatalf("CLIENT PAUSE sent to %v for a master that reports role slave", c.Addr)
		}
	}
}

func TestSwitchoverThatFindsTheMasterFencedPromotesWithoutWaiting(t *testing.T) {
	// The operator asks for a failover before this sentinel has read the restarted master's
	// INFO: it still believes in a master and pauses it, and the INFO read after the pause
	// shows a fenced replica. The switchover must go on, not time out and be asked again.
	w, m, reps := setupOneSentinel(t, 100)
	// Restarted fenced between two INFOs (and two PINGs): the sentinel's view still says master.
	m.runID = strings.Repeat("f", 40)
	self := m.addr
	m.master, m.linkUp, m.offset = &self, false, 0
	mm := w.s.Masters["mymaster"]
	for _, r := range mm.Replicas {
		r.infoRefresh = w.now
	}
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	for i := 0; i < 20; i++ {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
	}
	if w.eventCount("+failover-state-pause-master") != 1 {
		t.Fatalf("setup: the sentinel did not try a paused switchover; events %v", w.events)
	}
	if reps[0].promotions != 1 {
		t.Fatalf("not promoted after the paused master showed role slave; events %v", w.events)
	}
	if n := w.eventCount("-failover-abort-switchover-timeout"); n != 0 {
		t.Fatalf("switchover timed out; events %v", w.events)
	}
	w.advance(3 * time.Second)
	if w.eventCount("+failover-end") != 1 || m.master == nil || *m.master != reps[0].addr {
		t.Fatalf("failover did not end with the old master following the new one (%v); events %v", m.master, w.events)
	}
}

func TestPingPeriodIsATenthOfDownAfter(t *testing.T) {
	s := NewState(GlobalConfig{MyID: "x"}, DefaultParams(), 1)
	for _, tc := range []struct {
		downAfter, want time.Duration
	}{
		{30 * time.Second, time.Second}, // never slower than ping-period
		{3 * time.Second, 300 * time.Millisecond},
		{time.Second, 100 * time.Millisecond},
		{500 * time.Millisecond, 100 * time.Millisecond}, // not faster than the timer
		{50 * time.Millisecond, 50 * time.Millisecond},   // and never slower than down-after
	} {
		m := &Master{Config: MasterConfig{DownAfter: tc.downAfter}}
		if got := s.pingPeriod(m); got != tc.want {
			t.Errorf("down-after %v: ping period %v, want %v", tc.downAfter, got, tc.want)
		}
	}
}

func TestVanishedMasterIsDownWithinAPingPeriodOfDownAfter(t *testing.T) {
	// A deleted pod closes nothing: the PINGs just go unanswered. The first unanswered PING
	// leaves at most a ping period (plus a timer tick) after the last reply, and SDOWN follows
	// down-after after it.
	w, m, _ := setupOneSentinel(t, 100)
	mm := w.s.Masters["mymaster"]
	l := w.s.links[m.addr.String()]
	for !l.actPingTime.IsZero() || w.now.Sub(l.lastAvail) < 50*time.Millisecond {
		w.advance(100 * time.Millisecond)
	}
	m.hung = true
	gone := l.lastAvail
	for w.eventCount("+sdown") == 0 && w.now.Sub(gone) < 3*downAfter {
		w.advance(100 * time.Millisecond)
	}
	if w.eventCount("+sdown") == 0 {
		t.Fatalf("a master that stopped answering was never judged down; events %v", w.events)
	}
	bound := downAfter + w.s.pingPeriod(mm) + 2*100*time.Millisecond
	if d := w.now.Sub(gone); d <= downAfter || d > bound {
		t.Fatalf("+sdown %v after the last reply, want within (%v, %v]", d, downAfter, bound)
	}
}

func TestForcedFailoverTellsThePeersItsEpoch(t *testing.T) {
	// Peers that judge the master down a moment after a forced failover started must not run a
	// failover of their own in its epoch: they are asked for their vote in it at once.
	w, _, _, peers := setupThreeSentinels(t, 2)
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	epoch := w.s.CurrentEpoch
	for _, p := range peers {
		if got := p.voted[epoch]; got != w.s.Global.MyID {
			t.Errorf("peer %s voted %q in epoch %d, want this sentinel's forced failover", p.runID, got, epoch)
		}
	}
}

func TestForcedFailoverRightAfterAFencedRestartIsNotRefused(t *testing.T) {
	// The master was judged down a moment ago (restarted fenced), so the replicas' INFO, read
	// every 10 s while all was well, is older than the 5 ping periods a down master allows:
	// SENTINEL FAILOVER must not answer NOGOODSLAVE for that, but fetch fresh INFO and promote.
	w, m, reps := setupOneSentinel(t, 100)
	w.s.Masters["mymaster"].Config.Quorum = 2 // no failover of its own: only the asked one
	w.restartFenced(m)
	mm := w.s.Masters["mymaster"]
	if !mm.has(flagSDown) {
		t.Fatalf("setup: fenced master not down; events %v", w.events)
	}
	for _, r := range mm.Replicas {
		// The fresh INFO asked for at +sdown has not come back yet; the last one is 8 s old.
		r.infoRefresh = w.now.Add(-8 * time.Second)
	}
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	w.advance(500 * time.Millisecond)
	if reps[0].promotions != 1 {
		t.Fatalf("not promoted; events %v", w.events)
	}
}

func TestMasterVanishedDuringItsSwitchoverFailsOverAtOnce(t *testing.T) {
	// A pod force-deleted while its preStop hook asked for a switchover: the master is paused,
	// the replica is behind, and then the master stops answering at all. The switchover must
	// give up when the master is down and the failover of the down master must follow at
	// once, not after 2*failover-timeout as after a failed failover.
	w, m, reps := setupOneSentinel(t, 100)
	reps[0].offset = 900 // never catches up: the master is gone before it can
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	_, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	w.run(e)
	if st := w.s.Masters["mymaster"].failoverState; st != failoverWaitCatchUp {
		t.Fatalf("state %s, want wait_catch_up", failoverStateNames[st])
	}
	m.hung = true
	gone := w.now
	for w.eventCount("+switch-master") == 0 && w.now.Sub(gone) < time.Minute {
		w.advance(100 * time.Millisecond)
	}
	if w.eventCount("+switch-master") == 0 {
		t.Fatalf("no failover within a minute of the master vanishing mid-switchover; events %v", w.events)
	}
	if w.eventCount("-failover-abort-master-down") != 1 {
		t.Fatalf("the switchover was not given up for the master being down; events %v", w.events)
	}
	bound := downAfter + w.s.pingPeriod(w.s.Masters["mymaster"]) + time.Second
	if d := w.now.Sub(gone); d > bound {
		t.Fatalf("+switch-master %v after the master vanished, want at most %v (down-after %v)", d, bound, downAfter)
	}
}

func TestSwitchoverWhoseMasterDiesAsItIsPausedPromotesAtOnce(t *testing.T) {
	// The operator asks for a switchover of a master whose pod was deleted without a grace
	// period; redis-server exits as the sentinel sends CLIENT PAUSE, and the connection breaks
	// under the command. The master is gone: the replica with the most data is promoted now,
	// as when the master is already unreachable at selection, not after another attempt.
	w, m, reps := setupOneSentinel(t, 100)
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	m.alive = false // the process is gone; its connection has not been seen to close yet
	_, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	w.run(e)
	for i := 0; i < 5 && reps[0].promotions == 0; i++ {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
	}
	if reps[0].promotions != 1 {
		t.Fatalf("the replica was not promoted right after the pause failed on a broken connection; events %v", w.events)
	}
	if w.eventCount("-failover-abort-pause-failed") != 0 {
		t.Fatalf("the switchover was aborted instead; events %v", w.events)
	}
}

func TestSwitchoverWhoseMasterRefusesThePauseIsAborted(t *testing.T) {
	// A master that answers CLIENT PAUSE with an error is alive and was not paused: promoting
	// a replica would leave it taking writes that are then lost.
	w, m, reps := setupOneSentinel(t, 100)
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	m.refusePause = true
	_, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	w.run(e)
	w.advance(time.Second)
	if reps[0].promotions != 0 || w.eventCount("-failover-abort-pause-failed") != 1 {
		t.Fatalf("promotions %d after a refused pause, want the switchover aborted; events %v", reps[0].promotions, w.events)
	}
}

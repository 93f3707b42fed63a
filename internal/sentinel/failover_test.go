package sentinel

import (
	"strings"
	"testing"
	"time"
)

const downAfter = time.Second

func setupOneSentinel(t *testing.T, priorities ...int) (*world, *fakeRedis, []*fakeRedis) {
	w := newWorld(t, 1, downAfter)
	m := w.addRedis(6379, nil, 100, 1000)
	var reps []*fakeRedis
	for i, p := range priorities {
		reps = append(reps, w.addRedis(6380+i, &m.addr, p, 1000))
	}
	w.connectAll()
	w.advance(200 * time.Millisecond) // INFO of the master discovers the replicas
	w.connectAll()
	w.advance(200 * time.Millisecond)
	if got := len(w.s.Masters["mymaster"].Replicas); got != len(priorities) {
		t.Fatalf("discovered %d replicas, want %d", got, len(priorities))
	}
	return w, m, reps
}

func TestKilledMasterFailsOverToBestReplica(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 102, 101)
	w.kill(m)
	w.advance(3 * time.Second)

	for _, typ := range []string{"+sdown", "+odown", "+try-failover", "+elected-leader", "+selected-slave",
		"+promoted-slave", "+switch-master", "+failover-end"} {
		if w.eventCount(typ) != 1 {
			t.Errorf("event %s seen %d times, want once; events: %v", typ, w.eventCount(typ), w.events)
		}
	}
	if reps[1].master != nil || reps[1].promotions != 1 {
		t.Fatalf("replica with priority 101 not promoted: %+v", reps[1])
	}
	if reps[0].master == nil || *reps[0].master != reps[1].addr {
		t.Fatalf("other replica not repointed at the new master: %+v", reps[0].master)
	}
	if got := w.masterAddr(); got != reps[1].addr {
		t.Fatalf("get-master-addr-by-name = %v, want %v", got, reps[1].addr)
	}
	sw, _ := w.event("+switch-master")
	if sw.Msg != "mymaster 127.0.0.1 6379 127.0.0.1 6381" {
		t.Fatalf("+switch-master payload %q", sw.Msg)
	}
	if e, _ := w.event("+odown"); e.Msg != "master mymaster 127.0.0.1 6379 #quorum 1/1" {
		t.Fatalf("+odown payload %q", e.Msg)
	}
	if e, _ := w.event("+selected-slave"); e.Msg != "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379" {
		t.Fatalf("+selected-slave payload %q", e.Msg)
	}
	// The old master stays known, as a replica of the new one.
	if _, ok := w.s.Masters["mymaster"].Replicas["127.0.0.1:6379"]; !ok {
		t.Fatalf("old master not kept as replica")
	}
	if w.s.Masters["mymaster"].ConfigEpoch != 1 || w.s.CurrentEpoch != 1 {
		t.Fatalf("epochs: config %d current %d", w.s.Masters["mymaster"].ConfigEpoch, w.s.CurrentEpoch)
	}
}

func TestDownAfterCountsFromTheBrokenLinkNotTheLastReply(t *testing.T) {
	// The master last answered a PING, then died most of a ping period later: it must get the
	// whole down-after from the moment its link broke before it is called down.
	w, m, _ := setupOneSentinel(t, 100)
	l := w.s.links[m.addr.String()]
	for w.now.Sub(l.lastAvail) < w.s.pingPeriod(w.s.Masters["mymaster"])*8/10 || !l.actPingTime.IsZero() {
		w.advance(100 * time.Millisecond)
	}
	w.kill(m)
	killedAt := w.now
	for w.eventCount("+sdown") == 0 && w.now.Sub(killedAt) < 3*downAfter {
		w.advance(100 * time.Millisecond)
	}
	if w.eventCount("+sdown") == 0 {
		t.Fatalf("master never declared down; events %v", w.events)
	}
	if down := w.now.Sub(killedAt); down <= downAfter {
		t.Fatalf("+sdown %v after the link broke, before down-after (%v) had passed", down, downAfter)
	}
}

func TestPriorityZeroNeverPromoted(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 0)
	w.kill(m)
	w.advance(3 * time.Second)
	if reps[0].promotions != 0 {
		t.Fatal("replica with priority 0 was promoted")
	}
	if w.eventCount("-failover-abort-no-good-slave") == 0 {
		t.Fatalf("no -failover-abort-no-good-slave; events %v", w.events)
	}
	if w.masterAddr() != m.addr {
		t.Fatal("master address changed without a promotion")
	}
}

func TestHighestOffsetThenLowestRunIDWins(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100, 100, 100)
	reps[0].offset, reps[1].offset, reps[2].offset = 900, 1000, 1000
	w.advance(1100 * time.Millisecond) // INFO with the new offsets (every second while...) is refreshed below
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = time.Time{}
	}
	w.advance(200 * time.Millisecond)
	w.kill(m)
	w.advance(3 * time.Second)
	if reps[1].promotions != 1 || reps[0].promotions+reps[2].promotions != 0 {
		t.Fatalf("promotions %d %d %d, want only the replica with offset 1000 and the lower runid",
			reps[0].promotions, reps[1].promotions, reps[2].promotions)
	}
}

func setupThreeSentinels(t *testing.T, quorum int) (*world, *fakeRedis, []*fakeRedis, []*fakePeer) {
	return setupThreeSentinelsWithIDs(t, quorum, strings.Repeat("b", 40), strings.Repeat("c", 40))
}

func setupThreeSentinelsWithIDs(t *testing.T, quorum int, peerIDs ...string) (*world, *fakeRedis, []*fakeRedis, []*fakePeer) {
	w := newWorld(t, quorum, downAfter)
	m := w.addRedis(6379, nil, 100, 1000)
	reps := []*fakeRedis{w.addRedis(6380, &m.addr, 100, 1000), w.addRedis(6381, &m.addr, 100, 900)}
	var peers []*fakePeer
	for i, id := range peerIDs {
		p := w.addPeer(26380+i, id)
		peers = append(peers, p)
		hello := Hello{Addr: p.addr, RunID: id, MasterName: "mymaster", MasterAddr: m.addr}
		w.run(w.s.HandleHello(hello.String(), Addr{}, w.now))
	}
	w.connectAll()
	w.advance(300 * time.Millisecond)
	w.connectAll()
	w.advance(300 * time.Millisecond)
	if n := len(w.s.Masters["mymaster"].Sentinels); n != 2 {
		t.Fatalf("%d sentinels known, want 2", n)
	}
	return w, m, reps, peers
}

func TestQuorumAndMajorityElectThisSentinel(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	for _, p := range peers {
		p.down = true
	}
	w.kill(m)
	w.advance(3 * time.Second)
	if reps[0].promotions != 1 {
		t.Fatalf("no promotion; events %v", w.events)
	}
	if e, _ := w.event("+odown"); !strings.HasSuffix(e.Msg, "#quorum 2/2") && !strings.HasSuffix(e.Msg, "#quorum 3/2") {
		t.Fatalf("+odown %q", e.Msg)
	}
}

func TestNoFailoverWithoutQuorum(t *testing.T) {
	w, m, reps, _ := setupThreeSentinels(t, 2) // peers keep answering "not down"
	w.kill(m)
	w.advance(5 * time.Second)
	if w.eventCount("+sdown") != 1 || w.eventCount("+odown") != 0 || w.eventCount("+try-failover") != 0 {
		t.Fatalf("events %v", w.events)
	}
	if reps[0].promotions+reps[1].promotions != 0 {
		t.Fatal("promoted without quorum")
	}
}

func TestNotElectedAbortsAndWaitsBeforeRetrying(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	for _, p := range peers {
		p.down = true
		p.vote = strings.Repeat("b", 40) // both vote for sentinel b
	}
	w.kill(m)
	// The attempt starts down-after (1s) after the kill plus a random delay of up to 1s, and is
	// abandoned after the election timeout, min(10s, failover-timeout 10s).
	w.advance(13 * time.Second)
	if w.eventCount("+try-failover") != 1 || w.eventCount("-failover-abort-not-elected") != 1 {
		t.Fatalf("events %v", w.events)
	}
	if reps[0].promotions+reps[1].promotions != 0 {
		t.Fatal("promoted without being elected")
	}
	w.advance(5 * time.Second) // at most 17s after the start: within 2*failover-timeout
	if w.eventCount("+try-failover") != 1 {
		t.Fatal("retried before 2*failover-timeout")
	}
}

func TestVoteOncePerEpoch(t *testing.T) {
	w, _, _, _ := setupThreeSentinels(t, 2)
	addr := Addr{"127.0.0.1", 6379}
	_, leader, epoch, e := w.s.IsMasterDownByAddr(addr, 5, strings.Repeat("b", 40), w.now)
	if leader != strings.Repeat("b", 40) || epoch != 5 || !e.Persist {
		t.Fatalf("first vote: %s %d persist=%v", leader, epoch, e.Persist)
	}
	_, leader, epoch, _ = w.s.IsMasterDownByAddr(addr, 5, strings.Repeat("c", 40), w.now)
	if leader != strings.Repeat("b", 40) || epoch != 5 {
		t.Fatalf("second request in epoch 5 changed the vote: %s %d", leader, epoch)
	}
	_, leader, epoch, _ = w.s.IsMasterDownByAddr(addr, 6, strings.Repeat("c", 40), w.now)
	if leader != strings.Repeat("c", 40) || epoch != 6 || w.s.CurrentEpoch != 6 {
		t.Fatalf("vote in epoch 6: %s %d current %d", leader, epoch, w.s.CurrentEpoch)
	}
	down, _, _, _ := w.s.IsMasterDownByAddr(addr, 6, "*", w.now)
	if down {
		t.Fatal("healthy master reported down")
	}
}

func TestStaleDownVotesDoNotFailOverTheNewMaster(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	for _, p := range peers {
		p.down = true
	}
	w.kill(m)
	w.advance(3 * time.Second)
	if reps[0].promotions != 1 {
		t.Fatalf("no first failover; events %v", w.events)
	}
	// The peers keep saying "down" (as stale answers about the old master would); they are asked
	// about the new address only if this sentinel itself sees it down, which it does not.
	w.advance(10 * time.Second)
	if n := w.eventCount("+try-failover"); n != 1 {
		t.Fatalf("%d failover attempts, want 1; events %v", n, w.events)
	}
	if w.s.Masters["mymaster"].has(flagSDown) {
		t.Fatal("new master is SDOWN")
	}
}

func TestHelloWithNewerConfigEpochSwitchesMaster(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	h := Hello{Addr: peers[0].addr, RunID: peers[0].runID, CurrentEpoch: 3, MasterName: "mymaster",
		MasterAddr: reps[1].addr, MasterConfigEpoch: 3}
	w.run(w.s.HandleHello(h.String(), Addr{}, w.now))
	if w.masterAddr() != reps[1].addr || w.s.CurrentEpoch != 3 {
		t.Fatalf("not switched: %v epoch %d", w.masterAddr(), w.s.CurrentEpoch)
	}
	if e, _ := w.event("+switch-master"); e.Msg != "mymaster 127.0.0.1 6379 127.0.0.1 6381" {
		t.Fatalf("+switch-master %q", e.Msg)
	}
	mm := w.s.Masters["mymaster"]
	if _, ok := mm.Replicas[m.addr.String()]; !ok {
		t.Fatal("old master not a replica")
	}
	if _, ok := mm.Replicas[reps[1].addr.String()]; ok {
		t.Fatal("new master still listed as replica")
	}
	// An older config never goes back.
	h.MasterAddr, h.MasterConfigEpoch = m.addr, 2
	w.run(w.s.HandleHello(h.String(), Addr{}, w.now))
	if w.masterAddr() != reps[1].addr {
		t.Fatal("older config epoch adopted")
	}
}

func TestReturningOldMasterIsConvertedToReplica(t *testing.T) {
	w, m, _ := setupOneSentinel(t, 100, 100)
	w.kill(m)
	w.advance(3 * time.Second)
	newMaster := w.masterAddr()
	if newMaster == m.addr {
		t.Fatal("no failover")
	}
	m.alive = true // comes back as a master with its old data
	w.run(w.s.LinkUp(m.addr, w.now))
	w.s.PubSubUp(m.addr, w.now)
	w.advance(15 * time.Second)
	if m.master == nil || *m.master != newMaster {
		t.Fatalf("old master not converted: %+v; events %v", m.master, w.events)
	}
	if w.eventCount("+convert-to-slave") != 1 {
		t.Fatalf("+convert-to-slave seen %d times", w.eventCount("+convert-to-slave"))
	}
}

func TestSwitchoverPausesCatchesUpPromotesDemotes(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100)
	reps[0].offset = 900 // behind the master's 1000
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	w.sent = nil
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	if st := w.s.Masters["mymaster"].failoverState; st != failoverWaitCatchUp {
		t.Fatalf("state %s, want wait_catch_up", failoverStateNames[st])
	}
	if reps[0].promotions != 0 {
		t.Fatal("promoted before catching up")
	}
	reps[0].offset = 1000
	for i := 0; i < 5; i++ {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
	}
	if reps[0].promotions != 1 || m.master == nil || *m.master != reps[0].addr {
		t.Fatalf("not switched over: promotions %d old master follows %v", reps[0].promotions, m.master)
	}
	var order []string
	for _, c := range w.sent {
		switch {
		case c.Op == OpPauseWrites && c.Addr == m.addr, c.Op == OpPromote, c.Op == OpReplicaOf && c.Addr == m.addr,
			c.Op == OpUnpause && c.Addr == m.addr:
			order = append(order, c.Op.String())
		}
	}
	want := "CLIENT PAUSE,SLAVEOF NO ONE,SLAVEOF,CLIENT UNPAUSE"
	if strings.Join(order, ",") != want {
		t.Fatalf("command order %v, want %s", order, want)
	}
	w.advance(2 * time.Second)
	if w.eventCount("+failover-end") != 1 {
		t.Fatalf("events %v", w.events)
	}
}

func TestSwitchoverAbortsAndUnpausesWhenReplicaNeverCatchesUp(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100)
	reps[0].offset = 900
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	w.sent = nil
	_, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	w.run(e)
	w.advance(4 * time.Second)
	if reps[0].promotions != 0 {
		t.Fatal("promoted a replica that never caught up")
	}
	unpaused := false
	for _, c := range w.sent {
		if c.Op == OpUnpause && c.Addr == m.addr {
			unpaused = true
		}
	}
	if !unpaused || w.eventCount("-failover-abort-switchover-timeout") != 1 {
		t.Fatalf("no abort with unpause; events %v", w.events)
	}
	if w.s.Masters["mymaster"].inFailover() {
		t.Fatal("failover still in progress")
	}
}

func TestTiltSuspendsActing(t *testing.T) {
	w, m, _ := setupOneSentinel(t, 100)
	w.now = w.now.Add(3 * time.Second) // the timer was not called for 3 s
	w.run(w.s.Tick(w.now))
	if tilt, _ := w.s.Tilted(); !tilt || w.eventCount("+tilt") != 1 {
		t.Fatal("no TILT after a 3 s timer gap")
	}
	w.kill(m)
	w.advance(5 * time.Second)
	if w.eventCount("+sdown") != 0 {
		t.Fatal("SDOWN acted on in TILT")
	}
	if down, _, _, _ := w.s.IsMasterDownByAddr(m.addr, 0, "*", w.now); down {
		t.Fatal("reported down in TILT")
	}
	w.advance(30 * time.Second)
	if w.eventCount("-tilt") != 1 {
		t.Fatal("TILT not left after its period")
	}
}

func TestFailoverAfterQuietPeriodStillFindsAReplica(t *testing.T) {
	// INFO comes every 10 s while all is well, so at the kill the replicas' INFO can be older
	// than the 5 s validity window that applies once the master is down.
	w, m, reps := setupOneSentinel(t, 100)
	w.advance(9500 * time.Millisecond)
	w.kill(m)
	w.advance(3 * time.Second)
	if reps[0].promotions != 1 || w.eventCount("-failover-abort-no-good-slave") != 0 {
		t.Fatalf("promotions %d; events %v", reps[0].promotions, w.events)
	}
}

func TestSelectionWaitsForFreshInfo(t *testing.T) {
	// The replica's INFO is stale when the selection runs and fresh INFO arrives only later:
	// the failover must wait for it, not abort.
	w, m, reps := setupOneSentinel(t, 100)
	mm := w.s.Masters["mymaster"]
	for _, r := range mm.Replicas {
		r.infoRefresh = w.now.Add(-20 * time.Second)
	}
	m.alive = false
	w.run(w.s.LinkDown(m.addr, w.now))
	e := Effects{}
	mm.flags |= flagSDown | flagODown
	mm.sdownSince = w.now
	w.s.startFailover(mm, w.now, &e)
	mm.flags |= flagForceFailover // skip the election
	mm.failoverState = failoverSelectSlave
	w.s.failoverSelectSlave(mm, w.now, &e)
	if mm.failoverState != failoverSelectSlave || w.eventCountIn(e, "-failover-abort-no-good-slave") != 0 {
		t.Fatalf("gave up on a replica with stale INFO: state %s events %v", failoverStateNames[mm.failoverState], e.Events)
	}
	asked := false
	for _, c := range e.Commands {
		if c.Op == OpInfo && c.Addr == reps[0].addr {
			asked = true
		}
	}
	if !asked {
		t.Fatal("no fresh INFO requested")
	}
	w.run(e) // the INFO reply arrives
	w.now = w.now.Add(10 * time.Millisecond)
	w.run(w.s.Tick(w.now))
	if reps[0].promotions != 1 {
		t.Fatalf("no promotion after fresh INFO; events %v", w.events)
	}
}

func TestRebootedMasterCountsAsDown(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100)
	v, e := w.s.Command([]string{"set", "mymaster", "master-reboot-down-after-period", "5000"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SET: %+v", v)
	}
	w.run(e)
	m.runID = strings.Repeat("9", 40) // restarted, maybe empty
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now // keep the replica's INFO valid for the selection
	}
	w.s.Masters["mymaster"].infoRefresh = time.Time{} // next tick asks the master for INFO
	w.advance(2 * time.Second)
	if w.eventCount("+reboot") != 1 || w.eventCount("+sdown") != 1 {
		t.Fatalf("events %v", w.events)
	}
	if reps[0].promotions != 1 {
		t.Fatalf("the replica with the data was not promoted; events %v", w.events)
	}
}

func TestLowerRunIDsGetAHeadStart(t *testing.T) {
	// Both peers have lower runids: this sentinel waits 2 stagger steps after ODOWN before it
	// becomes a candidate, so that simultaneous ODOWNs do not split the vote three ways.
	w, m, _, peers := setupThreeSentinelsWithIDs(t, 2, strings.Repeat("1", 40), strings.Repeat("2", 40))
	for _, p := range peers {
		p.down = true
	}
	w.kill(m)
	var odownAt, tryAt time.Time
	for i := 0; i < 300 && tryAt.IsZero(); i++ {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
		if odownAt.IsZero() && w.eventCount("+odown") > 0 {
			odownAt = w.now
		}
		if w.eventCount("+try-failover") > 0 {
			tryAt = w.now
		}
	}
	if odownAt.IsZero() || tryAt.IsZero() {
		t.Fatalf("no ODOWN or no failover; events %v", w.events)
	}
	if d := tryAt.Sub(odownAt); d < 2*staggerStep {
		t.Fatalf("started %v after ODOWN, want at least %v", d, 2*staggerStep)
	}
}

func TestVoteDuringStaggerKeepsThisSentinelFromCompeting(t *testing.T) {
	w, m, _, peers := setupThreeSentinelsWithIDs(t, 2, strings.Repeat("1", 40), strings.Repeat("2", 40))
	for _, p := range peers {
		p.down = true
	}
	w.kill(m)
	for w.eventCount("+odown") == 0 {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
	}
	// The lowest-runid peer became a candidate and asks for our vote.
	_, leader, _, e := w.s.IsMasterDownByAddr(m.addr, w.s.CurrentEpoch+1, peers[0].runID, w.now)
	w.run(e)
	if leader != peers[0].runID {
		t.Fatalf("voted for %s", leader)
	}
	w.advance(5 * time.Second)
	if n := w.eventCount("+try-failover"); n != 0 {
		t.Fatalf("competed after voting for a peer; events %v", w.events)
	}
}

func TestNoHelloToThePausedMaster(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100)
	reps[0].offset = 900
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	_, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	w.run(e)
	w.sent = nil
	w.advance(2000 * time.Millisecond) // a publish period passes while the master is paused
	for _, c := range w.sent {
		if c.Op == OpHello && c.Addr == m.addr {
			t.Fatal("hello (PUBLISH, held by CLIENT PAUSE WRITE) sent to the paused master")
		}
	}
}

// A switchover demotes the old master as part of the handover; when its pod is going away
// that resync never completes. It must not hold the parallel-syncs slot the other replicas
// wait for: with min-replicas-to-write they are what lets the new master take writes.
func TestDemotedOldMasterDoesNotHoldTheOtherReplicasBack(t *testing.T) {
	w, m, reps := setupOneSentinel(t, 100, 100)
	if ps := w.s.Masters["mymaster"].Config.ParallelSyncs; ps != 1 {
		t.Fatalf("parallel-syncs %d, want 1 for this test", ps)
	}
	for _, r := range w.s.Masters["mymaster"].Replicas {
		r.infoRefresh = w.now
	}
	v, e := w.s.Command([]string{"failover", "mymaster"}, w.now)
	if !IsOK(v) {
		t.Fatalf("SENTINEL FAILOVER: %+v", v)
	}
	w.run(e)
	var promoted, other *fakeRedis
	for i := 0; i < 20 && promoted == nil; i++ {
		w.now = w.now.Add(10 * time.Millisecond)
		w.run(w.s.Tick(w.now))
		for j, r := range reps {
			if r.promotions == 1 {
				promoted, other = r, reps[1-j]
			}
		}
	}
	if promoted == nil {
		t.Fatalf("no replica promoted; events %v", w.events)
	}
	// The simulated old master resyncs at once; a real one whose pod is being deleted stops
	// before any INFO shows it done: put it back to reconf-sent and let it hang. (With the
	// old master outside the parallel-syncs count, the other replica was repointed together
	// with its demotion already.)
	for _, r := range w.s.Masters["mymaster"].Replicas {
		if r.Addr == m.addr {
			r.flags = r.flags&^(flagReconfDone|flagReconfInprog) | flagReconfSent
			r.reconfSentTime = w.now
		}
	}
	m.hung = true
	w.advance(2 * time.Second)
	if other.master == nil || *other.master != promoted.addr {
		t.Fatalf("2 s after the promotion the other replica still follows %v, not the new master %v; events %v",
			other.master, promoted.addr, w.events)
	}
}

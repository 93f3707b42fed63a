package sentinel

import (
	"sort"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// switchoverPause bounds how long a planned switchover keeps the old master's writes paused;
// CLIENT PAUSE expires by itself after it, so a sentinel dying mid-switchover cannot leave the
// master paused. The catch-up wait gets half of it.
const switchoverPause = 5 * time.Second

func (s *State) failoverStateMachine(m *Master, now time.Time, e *Effects) {
	if !m.inFailover() {
		return
	}
	// Steps that complete at once fall through to the next one in the same call.
	for i := 0; i < 8; i++ {
		before := m.failoverState
		switch m.failoverState {
		case failoverWaitStart:
			s.failoverWaitStart(m, now, e)
		case failoverSelectSlave:
			s.failoverSelectSlave(m, now, e)
		case failoverPauseMaster:
			s.failoverPauseTimeout(m, now, e)
		case failoverWaitCatchUp:
			s.failoverWaitCatchUp(m, now, e, true)
		case failoverSendSlaveofNoOne:
			s.failoverSendSlaveofNoOne(m, now, e)
		case failoverWaitPromotion:
			s.failoverWaitPromotion(m, now, e)
		case failoverReconfSlaves:
			s.failoverReconfNextSlave(m, now, e)
		}
		if m.failoverState == before || e.Exit != 0 {
			return
		}
	}
}

func (s *State) failoverWaitStart(m *Master, now time.Time, e *Effects) {
	leader := s.getLeader(m, m.failoverEpoch, now, e)
	if leader != s.Global.MyID && !m.has(flagForceFailover) {
		timedOut := now.Sub(m.failoverStartTime) > min(s.Params.ElectionTimeout, m.Config.FailoverTimeout)
		split := !timedOut && leader == "" && s.voteIsSplit(m)
		if timedOut || split {
			s.event(e, true, "-failover-abort-not-elected", m, m.Instance, "")
			s.abortFailover(m, now, e)
		}
		if split {
			s.retrySoonAfterSplit(m, now)
		}
		return
	}
	if m.has(flagForceFailover) && !m.has(flagSDown) {
		s.requestVotes(m, now, e)
	}
	s.event(e, true, "+elected-leader", m, m.Instance, "")
	if s.simulateFlags&simulateCrashAfterElection != 0 {
		e.Exit = 99
		return
	}
	s.setFailoverState(m, failoverSelectSlave, now)
	s.event(e, true, "+failover-state-select-slave", m, m.Instance, "")
}

// requestVotes asks every peer for its vote in a forced failover's epoch. The forced failover
// needs no election (sentinel.c does not ask when the master is not SDOWN), but a peer that
// judges the master down a moment later would otherwise start its own failover in the same
// epoch, which this sentinel never told it about, win it, and promote a second replica. A peer
// that adopts the epoch and votes here waits instead, and learns the outcome from the hello.
func (s *State) requestVotes(m *Master, now time.Time, e *Effects) {
	for _, si := range m.sortedSentinels() {
		l := s.link(si)
		if l == nil || !l.connected {
			continue
		}
		si.lastAskTime = now
		l.pending++
		e.send(Command{Op: OpAskMasterDown, Master: m.Config.Name, Role: RoleSentinel, Addr: si.Addr,
			MasterAt: m.Addr, Epoch: s.CurrentEpoch, RunID: s.Global.MyID})
	}
}

func (s *State) setFailoverState(m *Master, st failoverState, now time.Time) {
	m.failoverState = st
	m.failoverStateSince = now
}

func (s *State) abortFailover(m *Master, now time.Time, e *Effects) {
	// A planned switchover that gave up before anything was promoted changed nothing in the
	// topology, so it must not hold back the failover of a master that is down meanwhile:
	// sentinel.c's 2*failover-timeout spacing would leave a master that died during its own
	// switchover (a pod force-deleted in its preStop hook) without a failover for 20 s at
	// failover-timeout 10 s.
	if m.has(flagForceFailover) && m.failoverState <= failoverWaitCatchUp {
		m.failoverStartTime = time.Time{}
	}
	m.flags &^= flagFailoverInProgress | flagForceFailover
	s.setFailoverState(m, failoverNone, now)
	if m.promoted != nil {
		m.promoted.flags &^= flagPromoted
		m.promoted = nil
	}
	s.unpauseOldMaster(m, e)
}

func (s *State) unpauseOldMaster(m *Master, e *Effects) {
	if m.pausedMaster.IsZero() {
		return
	}
	e.send(Command{Op: OpUnpause, Master: m.Config.Name, Addr: m.pausedMaster})
	m.pausedMaster = Addr{}
}

// selectReplica is sentinelSelectSlave: drop replicas that are down, silent, stale, unpromotable
// (priority 0) or disconnected from the master for too long; then prefer the lowest priority,
// the highest replication offset, the lowest runid.
func (s *State) selectReplica(m *Master, now time.Time) *Instance {
	return s.selectReplicaWith(m, now, false)
}

// selectReplicaWith can ignore the age of the replicas' INFO, to tell "no good replica" apart
// from "no recent INFO yet".
func (s *State) selectReplicaWith(m *Master, now time.Time, ignoreInfoAge bool) *Instance {
	var maxMasterDown time.Duration
	if m.has(flagSDown) {
		maxMasterDown += now.Sub(m.sdownSince)
	}
	maxMasterDown += 10 * m.Config.DownAfter
	infoValidity := 3 * s.Params.InfoPeriod
	if m.has(flagSDown) {
		infoValidity = 5 * s.Params.PingPeriod
	}
	var candidates []*Instance
	for _, r := range m.Replicas {
		l := s.link(r)
		switch {
		case r.has(flagSDown | flagODown), l.disconnected(r.Role):
		case now.Sub(l.lastAvail) > 5*s.Params.PingPeriod:
		case r.priority == 0:
		case !ignoreInfoAge && now.Sub(r.infoRefresh) > infoValidity:
		case r.masterLinkDownTime > maxMasterDown:
		default:
			candidates = append(candidates, r)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	sort.Slice(candidates, func(i, j int) bool { return betterReplica(candidates[i], candidates[j]) })
	return candidates[0]
}

func betterReplica(a, b *Instance) bool {
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	if a.replOffset != b.replOffset {
		return a.replOffset > b.replOffset
	}
	switch {
	case a.RunID == "" && b.RunID == "":
		return a.Name < b.Name
	case a.RunID == "":
		return false
	case b.RunID == "":
		return true
	}
	return a.RunID < b.RunID
}

func (s *State) failoverSelectSlave(m *Master, now time.Time, e *Effects) {
	r := s.selectReplica(m, now)
	if r == nil && now.Sub(m.failoverStateSince) < 5*s.Params.PingPeriod && s.selectReplicaWith(m, now, true) != nil {
		// A replica would qualify but its INFO is older than the validity window (INFO comes
		// every 10 s while the master looked fine). sentinel.c reaches this step a few 100 ms
		// ticks after ODOWN, when fresh INFO has arrived; this engine gets here at once, so it
		// asks for fresh INFO and re-checks on the next ticks instead of giving up.
		for _, rep := range m.sortedReplicas() {
			s.sendInfo(m, rep, now, e)
		}
		return
	}
	if r == nil {
		s.event(e, true, "-failover-abort-no-good-slave", m, m.Instance, "")
		s.abortFailover(m, now, e)
		return
	}
	s.event(e, true, "+selected-slave", m, r, "")
	r.flags |= flagPromoted
	m.promoted = r
	if l := s.link(m.Instance); m.has(flagForceFailover) && !m.has(flagSDown) && m.roleReported == RoleMaster &&
		l != nil && l.connected {
		// Planned switchover: stop writes on the old master first, so that everything it
		// acknowledged reaches the replica before the replica is promoted. A master that
		// reports role slave (restarted and fenced, or demoted) takes no writes: there is
		// nothing to pause and nothing to catch up with, and the replica with the most data
		// is promoted at once.
		pause := min(switchoverPause, m.Config.FailoverTimeout)
		m.pausedMaster = m.Addr
		m.pauseUntil = now.Add(pause)
		m.catchUpTarget = -1
		l.pending++
		e.send(Command{Op: OpPauseWrites, Master: m.Config.Name, Role: RoleMaster, Addr: m.Addr, Duration: pause})
		s.setFailoverState(m, failoverPauseMaster, now)
		s.event(e, true, "+failover-state-pause-master", m, m.Instance, "")
		return
	}
	s.setFailoverState(m, failoverSendSlaveofNoOne, now)
	s.event(e, true, "+failover-state-send-slaveof-noone", m, r, "")
}

// switchoverTimedOut ends a planned switchover that cannot complete: its catch-up wait ran out,
// or the master it pauses is down (SDOWN), which leaves its offset unknowable and its fate to
// the failover of a down master.
func (s *State) switchoverTimedOut(m *Master, now time.Time, e *Effects) bool {
	if m.has(flagSDown) {
		s.event(e, true, "-failover-abort-master-down", m, m.Instance, "")
		s.abortFailover(m, now, e)
		return true
	}
	if now.Sub(m.failoverStateSince) <= min(switchoverPause, m.Config.FailoverTimeout)/2 {
		return false
	}
	s.event(e, true, "-failover-abort-switchover-timeout", m, m.Instance, "")
	s.abortFailover(m, now, e)
	return true
}

func (s *State) failoverPauseTimeout(m *Master, now time.Time, e *Effects) {
	s.switchoverTimedOut(m, now, e)
}

// pausedReply handles the reply to CLIENT PAUSE: then the master's offset is read (INFO on the
// same link, so after the pause) and the replica polled until it has everything. A master
// that refuses the pause is left alone (the switchover is aborted); one whose connection broke
// instead is gone (its process exited: a pod deleted without a grace period), and, as for a
// master already unreachable when the replica was selected, the replica chosen for the most
// data is promoted now rather than after a new attempt.
func (s *State) pausedReply(m *Master, err error, v resp.Value, now time.Time, e *Effects) {
	if m.failoverState != failoverPauseMaster {
		return
	}
	if err != nil {
		m.pausedMaster = Addr{}
		s.setFailoverState(m, failoverSendSlaveofNoOne, now)
		s.event(e, true, "+failover-state-send-slaveof-noone", m, m.promoted, "")
		return
	}
	if v.IsError() {
		s.event(e, true, "-failover-abort-pause-failed", m, m.Instance, "")
		s.abortFailover(m, now, e)
		return
	}
	s.setFailoverState(m, failoverWaitCatchUp, now)
	l := s.link(m.Instance)
	l.infoSentAt = time.Time{}
	s.sendInfo(m, m.Instance, now, e)
}

// failoverWaitCatchUp moves on once the replica has the paused master's offset; poll (from the
// 10 ms tick, never from a reply, which would spin) asks the replica again.
func (s *State) failoverWaitCatchUp(m *Master, now time.Time, e *Effects, poll bool) {
	// A replica that has every write of the paused master is promoted even if the master died
	// meanwhile: nothing it acknowledged is missing.
	if m.catchUpTarget >= 0 && m.promoted.replOffset >= m.catchUpTarget && m.promoted.infoRefresh.After(m.failoverStateSince) {
		s.setFailoverState(m, failoverSendSlaveofNoOne, now)
		s.event(e, true, "+failover-state-send-slaveof-noone", m, m.promoted, "")
		return
	}
	if s.switchoverTimedOut(m, now, e) {
		return
	}
	if m.catchUpTarget < 0 {
		return // the master's offset after the pause is not known yet
	}
	if poll {
		s.sendInfo(m, m.promoted, now, e)
	}
}

func (s *State) failoverSendSlaveofNoOne(m *Master, now time.Time, e *Effects) {
	r := m.promoted
	l := s.link(r)
	if l == nil || !l.connected {
		if now.Sub(m.failoverStateSince) > m.Config.FailoverTimeout {
			s.event(e, true, "-failover-abort-slave-timeout", m, m.Instance, "")
			s.abortFailover(m, now, e)
		}
		return
	}
	l.pending++
	e.send(Command{Op: OpPromote, Master: m.Config.Name, Role: RoleReplica, Addr: r.Addr})
	s.event(e, true, "+failover-state-wait-promotion", m, r, "")
	s.setFailoverState(m, failoverWaitPromotion, now)
}

func (s *State) failoverWaitPromotion(m *Master, now time.Time, e *Effects) {
	if now.Sub(m.failoverStateSince) > m.Config.FailoverTimeout {
		s.event(e, true, "-failover-abort-slave-timeout", m, m.Instance, "")
		s.abortFailover(m, now, e)
		return
	}
	// Poll the promoted replica instead of waiting for the periodic INFO.
	s.sendInfo(m, m.promoted, now, e)
}

// promotionReply handles the reply to the promotion transaction: the replica is master as soon
// as EXEC returns, so its INFO is read right away.
func (s *State) promotionReply(m *Master, cmd Command, now time.Time, e *Effects) {
	if m.failoverState != failoverWaitPromotion || m.promoted == nil || m.promoted.Addr != cmd.Addr {
		return
	}
	if l := s.link(m.promoted); l != nil {
		l.infoSentAt = time.Time{}
	}
	s.sendInfo(m, m.promoted, now, e)
}

// promotionSeen runs when the promoted replica's INFO shows role:master. The master entry
// switches to it at once (+switch-master, forced hello) while the other replicas are still to
// be reconfigured: clients and the other sentinels follow without waiting for the end.
func (s *State) promotionSeen(m *Master, now time.Time, e *Effects) {
	m.ConfigEpoch = m.failoverEpoch
	e.persist()
	s.event(e, true, "+promoted-slave", m, m.promoted, "")
	if s.simulateFlags&simulateCrashAfterPromotion != 0 {
		e.Exit = 99
		return
	}
	s.setFailoverState(m, failoverReconfSlaves, now)
	s.event(e, true, "+failover-state-reconf-slaves", m, m.Instance, "")

	oldMaster := m.Instance
	promoted := m.promoted
	s.event(e, true, "+switch-master", nil, nil, switchMasterMsg(m.Config.Name, oldMaster.Addr, promoted.Addr))
	s.clientReconfig(e, m, "leader", "start", oldMaster.Addr, promoted.Addr)
	delete(m.Replicas, promoted.Name)
	promoted.Role = RoleMaster
	promoted.Name = m.Config.Name
	promoted.flags = oldMaster.flags & (flagFailoverInProgress | flagForceFailover)
	m.Instance = promoted
	m.oldAddr = oldMaster.Addr

	old := s.addReplica(m, oldMaster.Addr, now)
	old.RunID = oldMaster.RunID
	old.flags = oldMaster.flags & flagSDown
	old.sdownSince = oldMaster.sdownSince
	old.roleReported = oldMaster.roleReported
	old.roleReportedTime = oldMaster.roleReportedTime
	s.forgetPeerDownVotes(m)
	s.restartDownTimer(m.Addr, now)
	// sentinel.c's switch to the promoted replica re-creates the replicas, the old master
	// among them, with a +slave event each (clients such as Lettuce refresh on it).
	for _, r := range m.sortedReplicas() {
		s.event(e, false, "+slave", m, r, "")
	}

	if m.pausedMaster == oldMaster.Addr {
		// Switchover: demote the paused old master, then let its clients go (they are killed
		// by the transaction and reconnect to the new master through the sentinels).
		old.flags |= flagReconfSent
		old.reconfSentTime = now
		e.send(Command{Op: OpReplicaOf, Master: m.Config.Name, Role: RoleReplica, Addr: old.Addr, Target: m.Addr})
		s.event(e, true, "+slave-reconf-sent", m, old, "")
		s.unpauseOldMaster(m, e)
	}
	s.forceHello(m, now, e)
}

func switchMasterMsg(name string, from, to Addr) string {
	return name + " " + from.Host + " " + itoa(from.Port) + " " + to.Host + " " + itoa(to.Port)
}

// restartDownTimer gives a new master address a full down-after period before it can be
// judged down: its link may just have been cut by the promotion's CLIENT KILL, and evidence
// gathered while it was a replica says nothing about it as a master.
func (s *State) restartDownTimer(addr Addr, now time.Time) {
	l := s.linkFor(addr, now)
	l.lastAvail = now
	if !l.actPingTime.IsZero() {
		l.actPingTime = now
	}
}

// forgetPeerDownVotes drops what the other sentinels said about the previous master address:
// their down flags and votes must never count against the new master.
func (s *State) forgetPeerDownVotes(m *Master) {
	for _, si := range m.Sentinels {
		si.flags &^= flagMasterDown
		si.leader = ""
		si.lastMasterDownReply = time.Time{}
		si.lastAskTime = time.Time{}
	}
}

// failoverReconfNextSlave points the next replicas at the promoted one, parallel-syncs at a
// time. Unlike sentinel.c, the former master goes last and never holds one of the
// parallel-syncs slots: a switchover demotes it as part of the handover, and when its pod is
// going away (a graceful deletion) that reconfiguration never completes; a crashed master that
// restarted empty needs a full sync. Either way, counted first, it kept the replicas that could
// resume at once waiting (up to the 10 s reconfiguration timeout), and with min-replicas-to-write
// the new master refused every write until one of them followed it.
func (s *State) failoverReconfNextSlave(m *Master, now time.Time, e *Effects) {
	inProgress := 0
	for _, r := range m.sortedReplicas() {
		if r.has(flagReconfSent) && now.Sub(r.reconfSentTime) > s.Params.SlaveReconfTimeout {
			s.event(e, false, "-slave-reconf-sent-timeout", m, r, "")
			r.flags &^= flagReconfSent
			r.flags |= flagReconfDone
		}
		if r.has(flagReconfSent|flagReconfInprog) && r.Addr != m.oldAddr {
			inProgress++
		}
	}
	for _, r := range m.reconfOrder() {
		if inProgress >= m.Config.ParallelSyncs {
			break
		}
		if r.has(flagPromoted | flagReconfDone | flagReconfSent | flagReconfInprog) {
			continue
		}
		l := s.link(r)
		if l == nil || !l.connected {
			continue
		}
		l.pending++
		e.send(Command{Op: OpReplicaOf, Master: m.Config.Name, Role: RoleReplica, Addr: r.Addr, Target: m.Addr})
		r.flags |= flagReconfSent
		r.reconfSentTime = now
		s.event(e, false, "+slave-reconf-sent", m, r, "")
		if r.Addr != m.oldAddr {
			inProgress++
		}
	}
	s.failoverDetectEnd(m, now, e)
}

func (s *State) failoverDetectEnd(m *Master, now time.Time, e *Effects) {
	if m.promoted == nil || m.promoted.has(flagSDown) {
		return
	}
	notReconfigured := 0
	for _, r := range m.Replicas {
		if !r.has(flagReconfDone) && !r.has(flagSDown) {
			notReconfigured++
		}
	}
	timeout := now.Sub(m.failoverStateSince) > m.Config.FailoverTimeout
	if timeout {
		notReconfigured = 0
		s.event(e, true, "+failover-end-for-timeout", m, m.Instance, "")
	}
	if notReconfigured == 0 {
		s.event(e, true, "+failover-end", m, m.Instance, "")
		s.setFailoverState(m, failoverUpdateConfig, now)
	}
	if timeout {
		for _, r := range m.sortedReplicas() {
			if r.has(flagReconfDone | flagReconfSent) {
				continue
			}
			e.send(Command{Op: OpReplicaOf, Master: m.Config.Name, Role: RoleReplica, Addr: r.Addr, Target: m.Addr})
			s.event(e, false, "+slave-reconf-sent-be", m, r, "")
			r.flags |= flagReconfSent
		}
	}
}

// finishFailover ends a failover whose entry already switched at promotion: only the failover
// bookkeeping is cleared (sentinel.c resets the entry here and publishes +switch-master).
func (s *State) finishFailover(m *Master, now time.Time, e *Effects) {
	s.clientReconfig(e, m, "leader", "end", m.oldAddr, m.Addr)
	m.flags &^= flagFailoverInProgress | flagForceFailover | flagPromoted
	s.setFailoverState(m, failoverNone, now)
	// A completed failover may be followed by the next one at once (sentinelResetMaster: "We
	// can failover again ASAP"); the 2*failover-timeout wait only spaces out retries of
	// failovers that did not complete. Without this a new master that dies within minutes of
	// its promotion is not failed over for 2*failover-timeout (6 minutes by default).
	m.failoverStartTime = time.Time{}
	m.promoted = nil
	m.oldAddr = Addr{}
	for _, r := range m.Replicas {
		r.flags &^= flagReconfSent | flagReconfInprog | flagReconfDone | flagPromoted
	}
	e.persist()
}

// resetMasterAndChangeAddress is sentinelResetMasterAndChangeAddress: the entry now describes
// the master at addr; the replicas are the old ones plus the old master, minus the new master.
func (s *State) resetMasterAndChangeAddress(m *Master, addr Addr, now time.Time, e *Effects) {
	oldAddr := m.Addr
	var replicas []Addr
	for _, r := range m.sortedReplicas() {
		if r.Addr != addr {
			replicas = append(replicas, r.Addr)
		}
	}
	if oldAddr != addr {
		replicas = append(replicas, oldAddr)
	}
	s.unpauseOldMaster(m, e)
	if m.promoted != nil {
		m.promoted.flags &^= flagPromoted
	}
	m.promoted = nil
	m.failoverState = failoverNone
	m.failoverStateSince = now
	m.failoverStartTime = time.Time{} // as in finishFailover: the next failover may start at once
	m.Instance = newInstance(RoleMaster, m.Config.Name, addr, now)
	s.linkFor(addr, now)
	m.Replicas = map[string]*Instance{}
	s.forgetPeerDownVotes(m)
	s.restartDownTimer(addr, now)
	for _, a := range replicas {
		r := s.addReplica(m, a, now)
		s.event(e, false, "+slave", m, r, "")
	}
	e.persist()
}

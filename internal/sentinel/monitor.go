package sentinel

import (
	"fmt"
	"time"
)

// maxPendingCommands is SENTINEL_MAX_PENDING_COMMANDS: no more periodic traffic to a link that
// does not answer.
const maxPendingCommands = 100

// askRetryPeriod is how soon a peer that answered "not down" is asked again while this
// sentinel sees the master SDOWN.
const askRetryPeriod = 100 * time.Millisecond

// Tick is the periodic timer (sentinelTimer): TILT detection, periodic PING/INFO/hello,
// SDOWN/ODOWN checks, failover starts and the failover state machine.
func (s *State) Tick(now time.Time) Effects {
	var e Effects
	s.checkTilt(now, &e)
	for _, m := range s.sortedMasters() {
		s.handleInstance(m, m.Instance, now, &e)
		for _, r := range m.sortedReplicas() {
			s.handleInstance(m, r, now, &e)
		}
		for _, si := range m.sortedSentinels() {
			s.handleInstance(m, si, now, &e)
		}
		if m.failoverState == failoverUpdateConfig {
			s.finishFailover(m, now, &e)
		}
		s.forgetGone(m, now, &e)
	}
	s.prevTick = now
	return e
}

// TickInterval is how soon the runtime should call Tick again: sentinel.c's 100 ms (hz 10),
// or 10 ms while a failover is between its election and the promotion, where every step is
// on the clients' critical path.
func (s *State) TickInterval() time.Duration {
	for _, m := range s.Masters {
		switch m.failoverState {
		case failoverSelectSlave, failoverPauseMaster, failoverWaitCatchUp, failoverSendSlaveofNoOne, failoverWaitPromotion:
			return 10 * time.Millisecond
		}
	}
	return 100 * time.Millisecond
}

func (s *State) checkTilt(now time.Time, e *Effects) {
	if !s.prevTick.IsZero() {
		delta := now.Sub(s.prevTick)
		if delta < 0 || delta > s.Params.TiltTrigger {
			s.tilt = true
			s.tiltStart = now
			s.event(e, true, "+tilt", nil, nil, "#tilt mode entered")
		}
	}
}

// inTilt reports whether the acting half must be skipped, leaving TILT once its period is over.
func (s *State) inTilt(now time.Time, e *Effects) bool {
	if !s.tilt {
		return false
	}
	if now.Sub(s.tiltStart) < s.Params.TiltPeriod {
		return true
	}
	s.tilt = false
	s.event(e, true, "-tilt", nil, nil, "#tilt mode exited")
	return false
}

func (s *State) handleInstance(m *Master, inst *Instance, now time.Time, e *Effects) {
	s.sendPeriodic(m, inst, now, e)
	if s.inTilt(now, e) {
		return
	}
	s.checkSDown(m, inst, now, e)
	if inst.Role == RoleMaster {
		s.evaluateMaster(m, now, e)
	}
}

// evaluateMaster runs the master's decision steps. Besides the timer, replies that can change
// the outcome (a peer's down-vote, an INFO during a failover) run it at once.
func (s *State) evaluateMaster(m *Master, now time.Time, e *Effects) {
	s.checkODown(m, now, e)
	if s.startFailoverIfNeeded(m, now, e) {
		s.askMasterState(m, now, e, true)
	}
	s.failoverStateMachine(m, now, e)
	s.askMasterState(m, now, e, false)
}

func (s *State) sendPeriodic(m *Master, inst *Instance, now time.Time, e *Effects) {
	l := s.link(inst)
	if l == nil || !l.connected || l.pending >= maxPendingCommands {
		return
	}
	infoPeriod := s.Params.InfoPeriod
	if inst.Role == RoleReplica && (m.has(flagSDown|flagODown|flagFailoverInProgress) || !inst.masterLinkUp) {
		infoPeriod = time.Second
	}
	if inst.Role != RoleSentinel && (inst.infoRefresh.IsZero() || now.Sub(inst.infoRefresh) > infoPeriod) {
		s.sendInfo(m, inst, now, e)
	}
	pingPeriod := s.pingPeriod(m)
	if now.Sub(l.lastPongTime) > pingPeriod && now.Sub(l.lastPingTime) > pingPeriod/2 {
		s.sendPing(m, inst, now, e)
	}
	if now.Sub(inst.lastPubTime) > s.Params.PublishPeriod {
		s.sendHello(m, inst, now, e)
	}
}

// sendInfo sends INFO unless one is already in flight on the link (and not forgotten).
func (s *State) sendInfo(m *Master, inst *Instance, now time.Time, e *Effects) {
	l := s.link(inst)
	if l == nil || !l.connected {
		return
	}
	if !l.infoSentAt.IsZero() && now.Sub(l.infoSentAt) < s.Params.InfoPeriod {
		return
	}
	l.infoSentAt = now
	l.pending++
	e.send(Command{Op: OpInfo, Master: m.Config.Name, Role: inst.Role, Addr: inst.Addr})
}

func (s *State) sendPing(m *Master, inst *Instance, now time.Time, e *Effects) {
	s.sendPingProbe(m, inst, now, e, false)
}

func (s *State) sendPingProbe(m *Master, inst *Instance, now time.Time, e *Effects, probe bool) {
	l := s.link(inst)
	l.lastPingTime = now
	if l.actPingTime.IsZero() {
		l.actPingTime = now
	}
	l.pending++
	e.send(Command{Op: OpPing, Master: m.Config.Name, Role: inst.Role, Addr: inst.Addr, Probe: probe})
}

// ProbeMasters pings the named master (every master for "") whose link is up and which is
// not already judged down, and returns the addresses pinged. A reply that reports a master's
// flags waits for these PINGs' answers (or the link's close), so that it never calls "ok" a
// master that has just died: see Engine.awaitMastersAnswer.
func (s *State) ProbeMasters(name string, now time.Time) (Effects, []Addr) {
	var e Effects
	var probed []Addr
	for key, m := range s.Masters {
		if name != "" && key != name {
			continue
		}
		l := s.link(m.Instance)
		if l == nil || !l.connected || m.Instance.has(flagSDown) {
			continue
		}
		s.sendPingProbe(m, m.Instance, now, &e, true)
		probed = append(probed, m.Addr)
	}
	return e, probed
}

// sendHello sends this sentinel's hello about m to inst (PUBLISH __sentinel__:hello).
func (s *State) sendHello(m *Master, inst *Instance, now time.Time, e *Effects) {
	l := s.link(inst)
	if l == nil || !l.connected {
		return
	}
	if !m.pausedMaster.IsZero() && inst.Addr == m.pausedMaster {
		// PUBLISH replicates, so CLIENT PAUSE WRITE holds it, and everything queued behind it
		// on the link (the INFO that reads the paused offset) would wait for the pause to end.
		return
	}
	inst.lastPubTime = now
	l.pending++
	e.send(Command{Op: OpHello, Master: m.Config.Name, Role: inst.Role, Addr: inst.Addr, Hello: s.hello(m)})
}

// forceHello sends the hello about m to every instance now (after a promotion or a switch), so
// the other sentinels and the clients learn the new configuration without waiting for a period.
func (s *State) forceHello(m *Master, now time.Time, e *Effects) {
	s.sendHello(m, m.Instance, now, e)
	for _, r := range m.sortedReplicas() {
		s.sendHello(m, r, now, e)
	}
	for _, si := range m.sortedSentinels() {
		s.sendHello(m, si, now, e)
	}
}

func (s *State) checkSDown(m *Master, inst *Instance, now time.Time, e *Effects) {
	l := s.link(inst)
	if l == nil {
		return
	}
	downAfter := m.Config.DownAfter
	var elapsed time.Duration
	switch {
	case !l.actPingTime.IsZero():
		elapsed = now.Sub(l.actPingTime)
	case !l.connected:
		elapsed = now.Sub(l.lastAvail)
	}
	// A link that stopped answering is re-opened (sentinel.c does it after half down-after once
	// the link is older than min-link-reconnect-period), as is a silent pubsub link.
	if l.connected && now.Sub(l.connectedAt) > s.Params.MinLinkReconnectPeriod {
		hung := !l.actPingTime.IsZero() && now.Sub(l.actPingTime) > downAfter/2 && now.Sub(l.lastPongTime) > downAfter/2
		silent := inst.Role != RoleSentinel && now.Sub(l.pubsubAlive) > 3*s.Params.PublishPeriod
		if hung || silent {
			l.connected = false
			l.pending = 0
			l.infoSentAt = time.Time{}
			e.send(Command{Op: OpReconnect, Master: m.Config.Name, Role: inst.Role, Addr: inst.Addr})
		}
	}
	// A master that reports role slave is down after down-after plus two INFO periods, as in
	// sentinel.c: that grace lets a sentinel learn where a deliberately demoted master went
	// (its INFO, or a hello with a newer config epoch) before it fails over for nothing. A
	// master that restarted and came back fenced (a replica with its master link down) was
	// demoted by nobody: it is down at once. Waiting buys nothing, since it answers no write
	// and holds none since the restart, and it costs clients the whole grace (about 23 s with
	// down-after 3 s). It is still one sentinel's opinion: the failover needs the quorum's
	// ODOWN and a majority's vote as always, so a sentinel with a stale view cannot act alone.
	reportsReplica := inst.Role == RoleMaster && inst.roleReported == RoleReplica &&
		(inst.restartedFenced || now.Sub(inst.roleReportedTime) > downAfter+2*s.Params.InfoPeriod)
	// A master that restarted (new run_id) may have come back empty: it counts as down for
	// master-reboot-down-after-period, so that a replica with the data is promoted instead.
	rebooted := inst.Role == RoleMaster && m.Config.RebootDownAfter > 0 && !inst.rebootSince.IsZero() &&
		now.Sub(inst.rebootSince) < m.Config.RebootDownAfter
	if elapsed > downAfter || reportsReplica || rebooted {
		if !inst.has(flagSDown) {
			s.event(e, true, "+sdown", m, inst, "")
			inst.sdownSince = now
			inst.flags |= flagSDown
			if inst.Role == RoleMaster {
				// A failover may follow within milliseconds: have the replicas' INFO fresh
				// for the replica selection rather than up to an info-period old.
				for _, r := range m.sortedReplicas() {
					s.sendInfo(m, r, now, e)
				}
			}
		}
	} else if inst.has(flagSDown) {
		s.event(e, true, "-sdown", m, inst, "")
		inst.flags &^= flagSDown | flagScriptKillSent
	}
}

func (s *State) checkODown(m *Master, now time.Time, e *Effects) {
	odown := false
	votes := 0
	if m.has(flagSDown) {
		votes = 1
		for _, si := range m.Sentinels {
			if si.has(flagMasterDown) {
				votes++
			}
		}
		odown = votes >= m.Config.Quorum
	}
	if odown {
		if !m.has(flagODown) {
			s.event(e, true, "+odown", m, m.Instance, fmt.Sprintf("#quorum %d/%d", votes, m.Config.Quorum))
			m.flags |= flagODown
			m.odownSince = now
		}
	} else if m.has(flagODown) {
		s.event(e, true, "-odown", m, m.Instance, "")
		m.flags &^= flagODown
	}
}

// askMasterState sends is-master-down-by-addr to the other sentinels while the master is SDOWN
// (with this sentinel's runid once a failover started: a vote request). Unlike sentinel.c,
// a peer whose last answer was "not down" is asked again on the next tick rather than after
// ask-period: peers notice the failure up to a ping period apart, and ODOWN should follow the
// moment the quorum agrees.
func (s *State) askMasterState(m *Master, now time.Time, e *Effects, forced bool) {
	for _, si := range m.sortedSentinels() {
		if now.Sub(si.lastMasterDownReply) > 5*s.Params.AskPeriod {
			si.flags &^= flagMasterDown
			si.leader = ""
		}
		if !m.has(flagSDown) {
			continue
		}
		l := s.link(si)
		if l == nil || !l.connected {
			continue
		}
		inFlight := si.lastAskTime.After(si.lastMasterDownReply) && now.Sub(si.lastAskTime) < s.Params.AskPeriod
		if !forced {
			if inFlight {
				continue
			}
			wait := s.Params.AskPeriod
			if !si.has(flagMasterDown) {
				wait = min(wait, askRetryPeriod)
			}
			if now.Sub(si.lastMasterDownReply) < wait {
				continue
			}
		}
		runid := "*"
		if m.failoverState > failoverNone {
			runid = s.Global.MyID
		}
		si.lastAskTime = now
		l.pending++
		e.send(Command{Op: OpAskMasterDown, Master: m.Config.Name, Role: RoleSentinel, Addr: si.Addr,
			MasterAt: m.Addr, Epoch: s.CurrentEpoch, RunID: runid})
	}
}

package sentinel

import (
	"strconv"
	"strings"
	"time"
)

// instanceInfo is what sentinel.c reads from an INFO reply.
type instanceInfo struct {
	runID              string
	role               Role
	replicas           []Addr // masters: slaveN lines
	masterHost         string
	masterPort         int
	masterLinkUp       bool
	masterLinkDownTime time.Duration
	priority           int
	replOffset         int64 // slave_repl_offset
	masterReplOffset   int64
	replicaAnnounced   bool
	keys               int64 // the dbN:keys=... lines summed (discovery's "has data")
}

func parseInfo(text string) instanceInfo {
	in := instanceInfo{priority: 100, replicaAnnounced: true}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch {
		case key == "run_id":
			in.runID = val
		case key == "role":
			switch val {
			case "master":
				in.role = RoleMaster
			case "slave":
				in.role = RoleReplica
			}
		case strings.HasPrefix(key, "slave") && isDigits(key[len("slave"):]):
			if a, ok := parseReplicaLine(val); ok {
				in.replicas = append(in.replicas, a)
			}
		case key == "master_host":
			in.masterHost = val
		case key == "master_port":
			in.masterPort, _ = strconv.Atoi(val)
		case key == "master_link_status":
			in.masterLinkUp = val == "up"
		case key == "master_link_down_since_seconds":
			if n, err := strconv.ParseInt(val, 10, 64); err == nil && n >= 0 {
				in.masterLinkDownTime = time.Duration(n) * time.Second
			}
		case key == "slave_priority" || key == "replica_priority":
			in.priority, _ = strconv.Atoi(val)
		case key == "slave_repl_offset":
			in.replOffset, _ = strconv.ParseInt(val, 10, 64)
		case key == "master_repl_offset":
			in.masterReplOffset, _ = strconv.ParseInt(val, 10, 64)
		case key == "replica_announced":
			in.replicaAnnounced = val != "0"
		case strings.HasPrefix(key, "db") && isDigits(key[len("db"):]):
			// db0:keys=1,expires=0,avg_ttl=0
			if n, ok := strings.CutPrefix(val, "keys="); ok {
				n, _, _ = strings.Cut(n, ",")
				if k, err := strconv.ParseInt(n, 10, 64); err == nil {
					in.keys += k
				}
			}
		}
	}
	return in
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseReplicaLine reads "ip=127.0.0.1,port=6380,state=online,offset=..,lag=..".
func parseReplicaLine(val string) (Addr, bool) {
	var a Addr
	for _, kv := range strings.Split(val, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "ip":
			a.Host = v
		case "port":
			a.Port, _ = strconv.Atoi(v)
		}
	}
	return a, a.Host != "" && a.Port > 0
}

// refreshInfo is sentinelRefreshInstanceInfo: record the INFO, discover replicas, follow role
// changes and, outside TILT, act on them (promotion seen, convert-to-slave, fix-slave-config,
// reconfiguration progress).
func (s *State) refreshInfo(m *Master, inst *Instance, text string, now time.Time, e *Effects) {
	in := parseInfo(text)
	inst.info = text
	inst.infoRefresh = now
	rebooted := false
	if in.runID != "" {
		if inst.RunID != "" && inst.RunID != in.runID {
			rebooted = true
			s.event(e, false, "+reboot", m, inst, "")
			if inst.Role == RoleMaster && m.Config.RebootDownAfter > 0 {
				inst.rebootSince = now
			}
		}
		inst.RunID = in.runID
	}
	fencedNow := false
	if inst.Role == RoleMaster {
		switch {
		case in.role == RoleReplica && !in.masterLinkUp:
			// A replica of itself is fenced whether or not this sentinel saw it restart: a
			// sentinel that discovered it (discover.go) never knew its old run_id.
			fenced := rebooted || nodeState{addr: inst.Addr, in: in}.fenced()
			fencedNow = fenced && !inst.restartedFenced
			inst.restartedFenced = inst.restartedFenced || fenced
		case in.role != 0:
			inst.restartedFenced = false
		}
	}
	if inst.Role == RoleMaster && in.role == RoleMaster {
		for _, a := range in.replicas {
			// A replica announcing a hostname (replica-announce-ip) is known by it only with
			// resolve-hostnames, and shown as its IP unless announce-hostnames is on.
			a, ok := s.canonicalAddr(a)
			if !ok {
				continue
			}
			if _, ok := m.Replicas[a.String()]; ok || a == m.Addr {
				continue
			}
			r := s.addReplica(m, a, now)
			s.event(e, false, "+slave", m, r, "")
			e.persist()
		}
		inst.replOffset = in.masterReplOffset
	}
	inst.masterLinkDownTime = in.masterLinkDownTime
	if in.role == RoleReplica {
		if inst.masterHost != in.masterHost || inst.masterPort != in.masterPort {
			inst.replConfChangeTime = now
		}
		inst.masterHost = in.masterHost
		inst.masterPort = in.masterPort
		inst.masterLinkUp = in.masterLinkUp
		inst.priority = in.priority
		inst.replOffset = in.replOffset
		inst.replicaAnnounced = in.replicaAnnounced
	}
	if in.role != 0 && in.role != inst.roleReported {
		inst.roleReportedTime = now
		inst.roleReported = in.role
		if in.role == RoleReplica {
			inst.replConfChangeTime = now
		}
		typ := "-role-change"
		if in.role == inst.Role {
			typ = "+role-change"
		}
		s.event(e, false, typ, m, inst, "new reported role is "+in.role.String())
	}
	if s.tilt {
		return
	}
	if fencedNow && inst == m.Instance {
		// Judge it down now rather than at the next tick, so that +sdown follows +reboot in
		// the same breath: whoever reacts to +reboot (the operator) already sees s_down.
		s.checkSDown(m, inst, now, e)
		s.evaluateMaster(m, now, e)
	}
	if inst.Role == RoleMaster && m.failoverState == failoverWaitCatchUp && m.pausedMaster == inst.Addr {
		switch in.role {
		case RoleMaster:
			m.catchUpTarget = in.masterReplOffset
			s.failoverStateMachine(m, now, e)
			return
		case RoleReplica:
			// The paused master turned out to be a replica (it restarted and came back fenced
			// before this sentinel read its INFO, or it was demoted): it takes no writes, so
			// there is nothing for the chosen replica to catch up with. Waiting would only end
			// in -failover-abort-switchover-timeout, and a retry in the same wait.
			s.setFailoverState(m, failoverSendSlaveofNoOne, now)
			s.event(e, true, "+failover-state-send-slaveof-noone", m, m.promoted, "")
			s.failoverStateMachine(m, now, e)
			return
		}
	}
	if inst.Role != RoleReplica {
		return
	}
	switch in.role {
	case RoleMaster:
		if inst.has(flagPromoted) && m.failoverState == failoverWaitPromotion && m.promoted == inst {
			s.promotionSeen(m, now, e)
			s.failoverStateMachine(m, now, e)
			return
		}
		wait := 4 * s.Params.PublishPeriod
		if !inst.has(flagPromoted) && s.masterLooksSane(m, now) && s.noDownFor(inst, wait, now) &&
			now.Sub(inst.roleReportedTime) > wait {
			s.sendReplicaOf(m, inst, m.Addr, e)
			s.event(e, false, "+convert-to-slave", m, inst, "")
		}
	case RoleReplica:
		if m.failoverState == failoverWaitCatchUp && m.promoted == inst {
			s.failoverWaitCatchUp(m, now, e, false)
			if m.failoverState != failoverWaitCatchUp {
				s.failoverStateMachine(m, now, e)
			}
			return
		}
		if inst.has(flagReconfSent|flagReconfInprog) && m.failoverState == failoverReconfSlaves {
			if inst.has(flagReconfSent) && inst.masterPort == m.Addr.Port && s.sameHost(m.Addr, inst.masterHost) {
				inst.flags &^= flagReconfSent
				inst.flags |= flagReconfInprog
				s.event(e, false, "+slave-reconf-inprog", m, inst, "")
			}
			if inst.has(flagReconfInprog) && inst.masterLinkUp {
				inst.flags &^= flagReconfInprog
				inst.flags |= flagReconfDone
				s.event(e, false, "+slave-reconf-done", m, inst, "")
			}
			return
		}
		if m.inFailover() {
			return
		}
		if inst.masterPort != m.Addr.Port || !s.sameHost(m.Addr, inst.masterHost) {
			wait := m.Config.FailoverTimeout
			// A fenced replica (a replica of itself, as start.sh starts a node that no
			// sentinel answered, or that the sentinels named as master after its restart)
			// waits for nothing but to be pointed at the master: stock's wait of
			// failover-timeout, meant for replicas someone else reconfigured, would only keep
			// it out of service that long.
			fenced := nodeState{addr: inst.Addr, in: instanceInfo{role: RoleReplica, masterHost: inst.masterHost, masterPort: inst.masterPort}}.fenced()
			if s.masterLooksSane(m, now) && (fenced || s.noDownFor(inst, wait, now) && now.Sub(inst.replConfChangeTime) > wait) {
				s.sendReplicaOf(m, inst, m.Addr, e)
				s.event(e, false, "+fix-slave-config", m, inst, "")
			}
		}
	}
}

func (s *State) sendReplicaOf(m *Master, inst *Instance, target Addr, e *Effects) {
	if l := s.link(inst); l != nil {
		l.pending++
	}
	e.send(Command{Op: OpReplicaOf, Master: m.Config.Name, Role: inst.Role, Addr: inst.Addr, Target: target})
}

// masterLooksSane is sentinelMasterLooksSane: safe to point replicas at the master.
func (s *State) masterLooksSane(m *Master, now time.Time) bool {
	return m.roleReported == RoleMaster && !m.has(flagSDown|flagODown) &&
		!m.infoRefresh.IsZero() && now.Sub(m.infoRefresh) < 2*s.Params.InfoPeriod
}

// noDownFor is sentinelRedisInstanceNoDownFor.
func (s *State) noDownFor(inst *Instance, d time.Duration, now time.Time) bool {
	recent := inst.sdownSince
	if inst.odownSince.After(recent) {
		recent = inst.odownSince
	}
	return recent.IsZero() || now.Sub(recent) > d
}

func itoa(n int) string { return strconv.Itoa(n) }

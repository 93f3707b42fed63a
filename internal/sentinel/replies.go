package sentinel

import (
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// LinkUp records that the runtime connected (and authenticated) the cmd link to addr; a PING
// follows at once, as sentinel.c does on reconnection.
func (s *State) LinkUp(addr Addr, now time.Time) Effects {
	var e Effects
	l := s.links[addr.String()]
	if l == nil {
		return e
	}
	l.connected = true
	l.connectedAt = now
	l.pending = 0
	l.infoSentAt = time.Time{}
	l.pubsubAlive = now
	if m, inst := s.anyInstanceAt(addr); inst != nil {
		s.sendPing(m, inst, now, &e)
		if inst.Role != RoleSentinel {
			s.sendInfo(m, inst, now, &e)
		}
	}
	return e
}

// LinkDown records that the cmd link to addr broke or could not be opened.
func (s *State) LinkDown(addr Addr, now time.Time) Effects {
	if l := s.links[addr.String()]; l != nil {
		l.connected = false
		l.pending = 0
		l.infoSentAt = time.Time{}
		if l.actPingTime.IsZero() {
			// The failure is the first contact that went unanswered, so down-after counts from
			// here, as in sentinel.c, whose reconnection sends a PING at once. Counting from the
			// last good reply instead would call a master down up to a ping period before
			// down-after had passed, and fail over on blips the user asked to tolerate.
			l.actPingTime = now
		}
	}
	return Effects{}
}

// PubSubUp records that the pubsub connection to addr (a master or replica) is open and its
// SUBSCRIBE sent.
func (s *State) PubSubUp(addr Addr, now time.Time) {
	if l := s.links[addr.String()]; l != nil {
		l.pubsubConnected = true
		l.pubsubAlive = now
	}
}

// PubSubDown records that the pubsub connection to addr closed, or was refused its SUBSCRIBE.
func (s *State) PubSubDown(addr Addr) {
	if l := s.links[addr.String()]; l != nil {
		l.pubsubConnected = false
	}
}

// PubSubActivity records traffic on the pubsub link of addr (subscription confirmations).
func (s *State) PubSubActivity(addr Addr, now time.Time) {
	if l := s.links[addr.String()]; l != nil {
		l.pubsubAlive = now
	}
}

func (s *State) anyInstanceAt(addr Addr) (*Master, *Instance) {
	for _, m := range s.sortedMasters() {
		if m.Addr == addr {
			return m, m.Instance
		}
		if r, ok := m.Replicas[addr.String()]; ok {
			return m, r
		}
		for _, si := range m.sortedSentinels() {
			if si.Addr == addr {
				return m, si
			}
		}
	}
	return nil, nil
}

// instanceFor finds the instance a command was sent to, if the view still has it.
func (s *State) instanceFor(cmd Command) (*Master, *Instance) {
	m := s.Masters[cmd.Master]
	if m == nil {
		return nil, nil
	}
	switch cmd.Role {
	case RoleMaster:
		if m.Addr == cmd.Addr {
			return m, m.Instance
		}
		if r, ok := m.Replicas[cmd.Addr.String()]; ok { // switched to replica meanwhile
			return m, r
		}
	case RoleReplica:
		if r, ok := m.Replicas[cmd.Addr.String()]; ok {
			return m, r
		}
		if m.Addr == cmd.Addr { // promoted meanwhile
			return m, m.Instance
		}
	case RoleSentinel:
		for _, si := range m.Sentinels {
			if si.Addr == cmd.Addr {
				return m, si
			}
		}
	}
	return m, nil
}

// HandleReply applies the reply to a command (err: the link failed before a reply came).
func (s *State) HandleReply(cmd Command, v resp.Value, err error, now time.Time) Effects {
	var e Effects
	l := s.links[cmd.Addr.String()]
	if l != nil && l.pending > 0 {
		l.pending--
	}
	if cmd.Op == OpInfo && l != nil {
		l.infoSentAt = time.Time{}
	}
	m, inst := s.instanceFor(cmd)
	if m == nil {
		return e
	}
	switch cmd.Op {
	case OpPing:
		if err != nil || l == nil {
			return e
		}
		if validPingReply(v) {
			l.lastAvail = now
			l.actPingTime = time.Time{}
		} else if v.IsError() && strings.HasPrefix(v.Str, "BUSY") && inst != nil && inst.has(flagSDown) && !inst.has(flagScriptKillSent) {
			inst.flags |= flagScriptKillSent
			e.send(Command{Op: OpScriptKill, Master: cmd.Master, Role: cmd.Role, Addr: cmd.Addr})
		}
		l.lastPongTime = now
	case OpInfo:
		if err != nil || inst == nil || v.IsError() {
			return e
		}
		text, ok := v.Text()
		if !ok {
			return e
		}
		s.refreshInfo(m, inst, text, now, &e)
	case OpAskMasterDown:
		if err != nil || inst == nil || cmd.MasterAt != m.Addr {
			return e // a late answer about a previous master address must not count
		}
		if v.Kind != resp.KindArray || len(v.Elems) != 3 || v.Elems[0].Kind != resp.KindInteger ||
			v.Elems[2].Kind != resp.KindInteger {
			return e
		}
		leader, ok := v.Elems[1].Text()
		if !ok {
			return e
		}
		inst.lastMasterDownReply = now
		if v.Elems[0].Int == 1 {
			inst.flags |= flagMasterDown
		} else {
			inst.flags &^= flagMasterDown
		}
		if leader != "*" {
			inst.leader = leader
			inst.leaderEpoch = uint64(v.Elems[2].Int)
		}
		if !s.tilt {
			s.evaluateMaster(m, now, &e)
		}
	case OpPromote:
		if err == nil {
			s.promotionReply(m, cmd, now, &e)
		}
	case OpPauseWrites:
		s.pausedReply(m, err == nil && !v.IsError(), now, &e)
	case OpReplicaOf:
		// Read the reconfigured replica's progress soon rather than at the next 1 s INFO.
		if err == nil && inst != nil && inst.has(flagReconfSent) {
			s.sendInfo(m, inst, now, &e)
		}
	}
	return e
}

func validPingReply(v resp.Value) bool {
	switch {
	case v.Kind == resp.KindSimpleString && v.Str == "PONG":
		return true
	case v.IsError():
		return strings.HasPrefix(v.Str, "LOADING") || strings.HasPrefix(v.Str, "MASTERDOWN")
	}
	return false
}

package sentinel

import (
	"strconv"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

func msSince(now, t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(now.Sub(t).Milliseconds(), 10)
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// instanceReply is addReplySentinelRedisInstance: every value a bulk string, in sentinel.c's
// order (clients parse some fields by position).
func (s *State) instanceReply(m *Master, inst *Instance, now time.Time) resp.Value {
	l := s.link(inst)
	if l == nil {
		l = &link{}
	}
	f := make([]resp.Field, 0, 32)
	add := func(name, value string) { f = append(f, resp.Field{Name: name, Value: value}) }
	runid := inst.RunID
	add("name", inst.Name)
	add("ip", inst.Addr.Host)
	add("port", strconv.Itoa(inst.Addr.Port))
	add("runid", runid)
	add("flags", inst.flagsString(l))
	add("link-pending-commands", strconv.Itoa(l.pending))
	add("link-refcount", strconv.Itoa(s.linkRefCount(inst.Addr)))
	if inst.Role == RoleMaster && m.failoverState != failoverNone {
		add("failover-state", failoverStateNames[m.failoverState])
	}
	add("last-ping-sent", msSince(now, l.actPingTime))
	add("last-ok-ping-reply", msSince(now, l.lastAvail))
	add("last-ping-reply", msSince(now, l.lastPongTime))
	if inst.has(flagSDown) {
		add("s-down-time", msSince(now, inst.sdownSince))
	}
	if inst.has(flagODown) {
		add("o-down-time", msSince(now, inst.odownSince))
	}
	add("down-after-milliseconds", ms(m.Config.DownAfter))
	if inst.Role != RoleSentinel {
		add("info-refresh", msSince(now, inst.infoRefresh))
		add("role-reported", inst.roleReported.String())
		add("role-reported-time", msSince(now, inst.roleReportedTime))
	}
	switch inst.Role {
	case RoleMaster:
		add("config-epoch", strconv.FormatUint(m.ConfigEpoch, 10))
		add("num-slaves", strconv.Itoa(len(m.Replicas)))
		add("num-other-sentinels", strconv.Itoa(len(m.Sentinels)))
		add("quorum", strconv.Itoa(m.Config.Quorum))
		add("failover-timeout", ms(m.Config.FailoverTimeout))
		add("parallel-syncs", strconv.Itoa(m.Config.ParallelSyncs))
		if m.Config.NotificationScript != "" {
			add("notification-script", m.Config.NotificationScript)
		}
		if m.Config.ClientReconfigScript != "" {
			add("client-reconfig-script", m.Config.ClientReconfigScript)
		}
	case RoleReplica:
		add("master-link-down-time", ms(inst.masterLinkDownTime))
		status := "err"
		if inst.masterLinkUp {
			status = "ok"
		}
		add("master-link-status", status)
		add("master-host", inst.masterHost)
		add("master-port", strconv.Itoa(inst.masterPort))
		add("slave-priority", strconv.Itoa(inst.priority))
		add("slave-repl-offset", strconv.FormatInt(inst.replOffset, 10))
		announced := "0"
		if inst.replicaAnnounced {
			announced = "1"
		}
		add("replica-announced", announced)
	case RoleSentinel:
		add("last-hello-message", msSince(now, inst.lastHelloTime))
		leader := inst.leader
		if leader == "" {
			leader = "?"
		}
		add("voted-leader", leader)
		add("voted-leader-epoch", strconv.FormatUint(inst.leaderEpoch, 10))
	}
	return resp.FieldMap(f)
}

// linkRefCount is how many instance entries share the link to addr (link-refcount).
func (s *State) linkRefCount(addr Addr) int {
	n := 0
	for _, m := range s.Masters {
		if m.Addr == addr {
			n++
		}
		if _, ok := m.Replicas[addr.String()]; ok {
			n++
		}
		for _, si := range m.Sentinels {
			if si.Addr == addr {
				n++
			}
		}
	}
	return max(n, 1)
}

// InfoSentinel is the body of INFO's "# Sentinel" section.
func (s *State) InfoSentinel(now time.Time) []string {
	tilt, since := "0", "-1"
	if s.tilt {
		tilt = "1"
		since = strconv.FormatInt(int64(now.Sub(s.tiltStart).Seconds()), 10)
	}
	lines := []string{
		"sentinel_masters:" + strconv.Itoa(len(s.Masters)),
		"sentinel_tilt:" + tilt,
		"sentinel_tilt_since_seconds:" + since,
		"sentinel_running_scripts:0",
		"sentinel_scripts_queue_length:0",
		"sentinel_simulate_failure_flags:" + strconv.Itoa(s.simulateFlags),
	}
	for i, m := range s.sortedMasters() {
		status := "ok"
		switch {
		case m.has(flagODown):
			status = "odown"
		case m.has(flagSDown):
			status = "sdown"
		}
		addr := m.Addr
		lines = append(lines, "master"+strconv.Itoa(i)+":name="+m.Config.Name+",status="+status+
			",address="+addr.String()+",slaves="+strconv.Itoa(len(m.Replicas))+
			",sentinels="+strconv.Itoa(len(m.Sentinels)+1))
	}
	return lines
}

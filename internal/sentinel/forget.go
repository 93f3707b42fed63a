package sentinel

import (
	"net"
	"time"
)

// Forgetting addresses that are gone. redis-sentinel keeps every replica and sentinel it ever
// learned until SENTINEL RESET, and on Kubernetes every rescheduled pod leaves its old IP
// behind. Stale sentinels are the dangerous ones: they count among the voters, so after enough
// churn a failover needs more votes than there are live sentinels and never happens. RESET is
// no cure: it forgets the live ones too, and a reset sentinel cannot vote or fail over until it
// has relearned them (OT-CONTAINER-KIT #1883).
//
// This sentinel forgets only what it knows to be gone: an address that no pod of the group has
// (the headless Services' DNS, fed in by the discovery loop) and that has not answered for
// goneAfter. A pod cut off by a partition keeps its DNS record, so it is never forgotten and
// the majority the voters need never shrinks under a partition.

const (
	// goneAfter is how long an address that no pod has must stay silent before it is
	// forgotten: well within the minute after which an old address must be gone.
	goneAfter = 30 * time.Second
	// groupHostsMaxAge bounds how old the list of the group's pods may be to say who is gone.
	groupHostsMaxAge = 30 * time.Second
)

// groupHosts is the latest list of the group's pod IPs.
type groupHosts struct {
	sentinels map[string]bool
	redis     map[string]bool
	at        time.Time
}

// SetGroupHosts records the IPs the group's pods have now: the sentinels' and the Redis nodes'.
// An empty list says nothing (a DNS answer during a restart of everything) and is ignored.
func (s *State) SetGroupHosts(sentinels, redis []string, now time.Time) {
	set := func(hosts []string) map[string]bool {
		if len(hosts) == 0 {
			return nil
		}
		m := make(map[string]bool, len(hosts))
		for _, h := range hosts {
			m[h] = true
		}
		return m
	}
	s.group = groupHosts{sentinels: set(sentinels), redis: set(redis), at: now}
}

// forgetGone drops m's replicas and sentinels whose address no pod of the group has and that
// have been silent for goneAfter. Never during a failover of m, nor in TILT: nothing that could
// be needed for a failover is touched.
func (s *State) forgetGone(m *Master, now time.Time, e *Effects) {
	if s.group.at.IsZero() || now.Sub(s.group.at) >= groupHostsMaxAge || m.failoverState != failoverNone || s.tilt {
		return
	}
	gone := func(inst *Instance, pods map[string]bool) bool {
		if pods == nil || pods[inst.Addr.Host] || net.ParseIP(inst.Addr.Host) == nil {
			// No list, a pod's address, or a hostname (announce-hostnames): not known to be gone.
			return false
		}
		l := s.link(inst)
		return l == nil || now.Sub(l.lastAvail) >= goneAfter
	}
	for _, r := range m.sortedReplicas() {
		if gone(r, s.group.redis) {
			s.event(e, false, "-slave", m, r, "gone: no Redis pod of the group has this address")
			delete(m.Replicas, r.Name)
			e.persist()
		}
	}
	for _, si := range m.sortedSentinels() {
		if gone(si, s.group.sentinels) && now.Sub(si.lastHelloTime) >= goneAfter {
			s.event(e, false, "-sentinel", m, si, "gone: no sentinel pod of the group has this address")
			delete(m.Sentinels, si.Name)
			e.persist()
		}
	}
}

// AddGroupNodes registers as replicas of the named master the group's Redis nodes it does not
// know yet: a node that started while no sentinel answered is fenced and in no master's INFO,
// and would stay out of service until someone pointed it at the master. Known as a replica, it
// is (fix-slave-config). Nothing is added during a failover or while the master is down.
func (s *State) AddGroupNodes(name string, nodes []Addr, now time.Time) Effects {
	var e Effects
	m, ok := s.Masters[name]
	if !ok || m.failoverState != failoverNone || m.has(flagSDown|flagODown) || s.tilt {
		return e
	}
	for _, a := range nodes {
		if _, known := m.Replicas[a.String()]; known || a == m.Addr {
			continue
		}
		r := s.addReplica(m, a, now)
		s.event(&e, false, "+slave", m, r, "")
		e.persist()
	}
	return e
}

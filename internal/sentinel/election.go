package sentinel

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// startFailoverIfNeeded starts a failover of an ODOWN master (sentinelStartFailoverIfNeeded):
// a new epoch, and a vote request to the others follows.
func (s *State) startFailoverIfNeeded(m *Master, now time.Time, e *Effects) bool {
	if !m.has(flagODown) || m.inFailover() {
		return false
	}
	if now.Sub(m.failoverStartTime) < 2*m.Config.FailoverTimeout {
		return false
	}
	if now.Sub(m.odownSince) < s.electionStagger(m) {
		return false
	}
	s.startFailover(m, now, e)
	return true
}

// staggerStep separates the failover starts of sentinels that reach ODOWN together.
const staggerStep = 100 * time.Millisecond

// electionStagger is how long after reaching ODOWN this sentinel waits before starting a
// failover: staggerStep for every reachable peer with a lower runid. sentinel.c evaluates
// ODOWN on a ~100 ms timer and asks its peers once a second, so simultaneous candidates are
// rare there; this engine reacts to every reply, and peers that see the failure together would
// all become candidates within milliseconds, split the vote, and then wait 2*failover-timeout.
// With the stagger the lowest-runid sentinel asks first and the others vote for it (a vote
// pushes their own start back), at no cost to the common case.
func (s *State) electionStagger(m *Master) time.Duration {
	rank := 0
	for _, si := range m.Sentinels {
		l := s.link(si)
		if si.RunID < s.Global.MyID && l != nil && l.connected && !si.has(flagSDown) {
			rank++
		}
	}
	return time.Duration(rank) * staggerStep
}

func (s *State) startFailover(m *Master, now time.Time, e *Effects) {
	m.failoverState = failoverWaitStart
	m.flags |= flagFailoverInProgress
	s.CurrentEpoch++
	m.failoverEpoch = s.CurrentEpoch
	s.event(e, true, "+new-epoch", nil, nil, strconv.FormatUint(s.CurrentEpoch, 10))
	s.event(e, true, "+try-failover", m, m.Instance, "")
	m.failoverStartTime = now.Add(s.jitter())
	m.failoverStateSince = now
	e.persist()
}

// voteLeader is sentinelVoteLeader: adopt a higher epoch, then vote once per epoch.
func (s *State) voteLeader(m *Master, reqEpoch uint64, reqRunID string, now time.Time, e *Effects) (string, uint64) {
	if reqEpoch > s.CurrentEpoch {
		s.CurrentEpoch = reqEpoch
		e.persist()
		s.event(e, true, "+new-epoch", nil, nil, strconv.FormatUint(s.CurrentEpoch, 10))
	}
	if m.LeaderEpoch < reqEpoch && s.CurrentEpoch <= reqEpoch {
		m.Leader = reqRunID
		m.LeaderEpoch = s.CurrentEpoch
		e.persist()
		s.event(e, true, "+vote-for-leader", nil, nil, fmt.Sprintf("%s %d", m.Leader, m.LeaderEpoch))
		// Having voted for another candidate, do not compete with it right away.
		if m.Leader != s.Global.MyID {
			m.failoverStartTime = now.Add(s.jitter())
		}
	}
	return m.Leader, m.LeaderEpoch
}

// getLeader is sentinelGetLeader: the runid with at least max(quorum, majority) votes in epoch,
// counting this sentinel's own vote (for the most voted, or for itself), or "".
func (s *State) getLeader(m *Master, epoch uint64, now time.Time, e *Effects) string {
	counters := map[string]int{}
	voters := len(m.Sentinels) + 1
	for _, si := range m.Sentinels {
		if si.leader != "" && si.leaderEpoch == s.CurrentEpoch {
			counters[si.leader]++
		}
	}
	winner, maxVotes := mostVoted(counters)
	candidate := winner
	if candidate == "" {
		candidate = s.Global.MyID
	}
	myVote, myEpoch := s.voteLeader(m, epoch, candidate, now, e)
	if myVote != "" && myEpoch == epoch {
		counters[myVote]++
		if counters[myVote] > maxVotes {
			maxVotes = counters[myVote]
			winner = myVote
		}
	}
	if winner != "" && (maxVotes < voters/2+1 || maxVotes < m.Config.Quorum) {
		return ""
	}
	return winner
}

// voteIsSplit reports whether the election of m's failover epoch can no longer be won by
// anyone: this sentinel and every other one have voted in it (votes are final within an epoch)
// and getLeader found no winner. sentinel.c waits out the election timeout and then
// 2*failover-timeout (6 minutes by default) before trying again, with the master down all
// along; candidates that reach ODOWN within milliseconds of each other (which a loaded machine
// makes likely, whatever the stagger) split the vote that way.
func (s *State) voteIsSplit(m *Master) bool {
	epoch := m.failoverEpoch
	if s.CurrentEpoch != epoch || m.LeaderEpoch != epoch || m.Leader == "" || len(m.Sentinels) == 0 {
		return false
	}
	for _, si := range m.Sentinels {
		if si.leader == "" || si.leaderEpoch != epoch {
			return false
		}
	}
	return true
}

// retrySoonAfterSplit lets a new attempt (in a new epoch) start after a random back-off of up
// to a second instead of 2*failover-timeout: a split election changed nothing in the
// topology, and the random back-off makes one candidate ask first, so that the others vote
// for it (a vote also pushes the voter's own start back).
func (s *State) retrySoonAfterSplit(m *Master, now time.Time) {
	m.failoverStartTime = now.Add(-2 * m.Config.FailoverTimeout).Add(s.jitter())
}

// mostVoted returns the runid with the most votes; ties go to the lowest runid so that the
// result does not depend on map order.
func mostVoted(counters map[string]int) (string, int) {
	ids := make([]string, 0, len(counters))
	for id := range counters {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	winner, most := "", 0
	for _, id := range ids {
		if counters[id] > most {
			winner, most = id, counters[id]
		}
	}
	return winner, most
}

// IsMasterDownByAddr answers SENTINEL is-master-down-by-addr: whether this sentinel sees the
// master at addr as SDOWN (never in TILT), and, for a vote request (runid other than "*"), its
// vote. The caller must persist (Effects.Persist) before replying.
func (s *State) IsMasterDownByAddr(addr Addr, reqEpoch uint64, runid string, now time.Time) (down bool, leader string, leaderEpoch uint64, e Effects) {
	m := s.masterByAddr(addr)
	if m != nil && !s.tilt && m.has(flagSDown) {
		down = true
	}
	leader = "*"
	if m != nil && runid != "*" {
		l, le := s.voteLeader(m, reqEpoch, runid, now, &e)
		if l != "" {
			leader = l
		}
		leaderEpoch = le
	}
	return down, leader, leaderEpoch, e
}

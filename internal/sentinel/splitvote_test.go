package sentinel

import (
	"strings"
	"testing"
	"time"
)

// TestSplitVoteIsRetriedSoonInANewEpoch: every sentinel became a candidate at once and voted for
// itself, so nobody can win the epoch. The election is abandoned as soon as every vote is
// known, and retried in a new epoch after a back-off of at most a second, rather than after the
// election timeout (10 s) and then 2*failover-timeout (20 s here).
func TestSplitVoteIsRetriedSoonInANewEpoch(t *testing.T) {
	w, m, reps, peers := setupThreeSentinels(t, 2)
	for _, p := range peers {
		p.down = true
		p.vote = p.runID // each peer is a candidate too, and votes for itself
	}
	w.kill(m)
	w.advance(4 * time.Second)
	if e, _ := w.event("+vote-for-leader"); !strings.HasPrefix(e.Msg, strings.Repeat("a", 40)+" 1") {
		t.Fatalf("first vote %q, want this sentinel's own in epoch 1", e.Msg)
	}
	if w.eventCount("-failover-abort-not-elected") == 0 {
		t.Fatalf("the split election is still waited on 4 s after the kill; events %v", w.events)
	}

	// The peers stop competing and vote for whoever asks first.
	for _, p := range peers {
		p.vote = ""
	}
	w.advance(3 * time.Second)
	if reps[0].promotions+reps[1].promotions != 1 {
		t.Fatalf("no promotion after the retry; events %v", w.events)
	}
	if w.eventCount("+try-failover") < 2 || w.s.CurrentEpoch < 2 {
		t.Fatalf("%d attempts, epoch %d: the retry must be a new election", w.eventCount("+try-failover"), w.s.CurrentEpoch)
	}
	if w.eventCount("+failover-end") != 1 {
		t.Fatalf("failover did not end; events %v", w.events)
	}
}

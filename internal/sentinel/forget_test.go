package sentinel

import (
	"strings"
	"testing"
	"time"
)

// The sim's live instances all listen on 127.0.0.1; the stale ones here are on addresses of
// their own, which nothing answers.
var (
	goneReplica        = Addr{"10.0.0.9", 6379}
	partitionedReplica = Addr{"10.0.0.8", 6379}
	goneSentinel       = Addr{"10.0.1.9", 26379}
	partitionedPeer    = Addr{"10.0.1.8", 26379}
)

func setupWithStale(t *testing.T) *world {
	t.Helper()
	w, _, _ := setupOneSentinel(t, 100, 100)
	for _, a := range []Addr{goneReplica, partitionedReplica} {
		if err := w.s.AddKnownReplica("mymaster", a, w.now); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range []Addr{goneSentinel, partitionedPeer} {
		if err := w.s.AddKnownSentinel("mymaster", a, strings.Repeat(string(rune('b'+i)), 40), w.now); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// liveFor advances d while the group's DNS keeps answering with the pods' addresses.
func (w *world) liveFor(d time.Duration, sentinels, redis []string) {
	for end := w.now.Add(d); w.now.Before(end); {
		w.s.SetGroupHosts(sentinels, redis, w.now)
		w.advance(time.Second)
	}
}

func TestGoneAddressesAreForgottenAndPartitionedOnesKept(t *testing.T) {
	w := setupWithStale(t)
	m := w.s.Masters["mymaster"]
	sentinelPods := []string{"127.0.0.1", partitionedPeer.Host}
	redisPods := []string{"127.0.0.1", partitionedReplica.Host}
	w.liveFor(goneAfter-2*time.Second, sentinelPods, redisPods)
	if len(m.Replicas) != 4 || len(m.Sentinels) != 2 {
		t.Fatalf("forgot before %v: %d replicas, %d sentinels; events %v", goneAfter, len(m.Replicas), len(m.Sentinels), w.events)
	}
	w.liveFor(4*time.Second, sentinelPods, redisPods)
	if _, ok := m.Replicas[goneReplica.String()]; ok {
		t.Errorf("the replica no pod has is still known after %v", goneAfter)
	}
	if _, ok := m.Replicas[partitionedReplica.String()]; !ok {
		t.Errorf("the silent replica whose pod still exists (a partition) was forgotten")
	}
	if len(m.Replicas) != 3 {
		t.Errorf("%d replicas known, want the 2 live ones and the partitioned one", len(m.Replicas))
	}
	if len(m.Sentinels) != 1 || m.Sentinels[strings.Repeat("c", 40)] == nil {
		t.Errorf("sentinels known %d, want only the partitioned one (its vote still counts)", len(m.Sentinels))
	}
	if w.eventCount("-slave") != 1 || w.eventCount("-sentinel") != 1 {
		t.Errorf("events -slave %d, -sentinel %d, want one each; events %v", w.eventCount("-slave"), w.eventCount("-sentinel"), w.events)
	}
}

func TestNothingIsForgottenWithoutAFreshListOfPods(t *testing.T) {
	w := setupWithStale(t)
	m := w.s.Masters["mymaster"]
	w.s.SetGroupHosts([]string{"127.0.0.1"}, []string{"127.0.0.1"}, w.now)
	w.advance(goneAfter + groupHostsMaxAge) // the list is too old by the time the addresses are silent long enough
	w.liveFor(5*time.Second, nil, nil)      // DNS answering nothing says nothing
	if len(m.Replicas) != 4 || len(m.Sentinels) != 2 {
		t.Fatalf("forgot on a stale or empty list of pods: %d replicas, %d sentinels", len(m.Replicas), len(m.Sentinels))
	}
}

func TestNothingIsForgottenDuringAFailover(t *testing.T) {
	w := setupWithStale(t)
	m := w.s.Masters["mymaster"]
	w.liveFor(goneAfter-2*time.Second, []string{"127.0.0.1"}, []string{"127.0.0.1"})
	m.failoverState = failoverWaitPromotion
	w.s.SetGroupHosts([]string{"127.0.0.1"}, []string{"127.0.0.1"}, w.now)
	e := w.s.Tick(w.now.Add(5 * time.Second))
	if w.eventCountIn(e, "-slave")+w.eventCountIn(e, "-sentinel") != 0 || len(m.Replicas) != 4 || len(m.Sentinels) != 2 {
		t.Fatalf("forgot addresses while a failover was in progress: %v", e.Events)
	}
}

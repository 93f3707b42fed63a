package checkwriter

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

const masterName = "mymaster"

// group is a password-protected master, one replica and one stock redis-sentinel (quorum 1):
// the smallest real group a FailoverClient can follow through a failover.
type group struct {
	master, replica *redistest.Server
	sentinel        *redistest.Sentinel
}

const password = "s3cret"

func newGroup(t *testing.T) group {
	t.Helper()
	// The master gets a loopback address of its own: after it is killed the replica keeps
	// dialling its old address, and on a shared 127.0.0.1 another program could take the freed
	// port and hand the replica an empty dataset. (The replica stays on 127.0.0.1, the source
	// address its master sees and the sentinel learns.)
	master := redistest.StartServer(t, redistest.ServerOptions{Host: "127.0.0.2", RequirePass: password, MasterAuth: password})
	replica := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process,
		RequirePass: password, MasterAuth: password})
	redistest.WaitReplicaOnline(t, 10*time.Second, master.Process, replica.Process)
	s := redistest.StartRedisSentinel(t, redistest.SentinelOptions{
		Monitors:    []redistest.Monitor{{Name: masterName, Master: master.Process, Quorum: 1, DownAfter: time.Second, FailoverTimeout: 5 * time.Second, AuthPass: password}},
		RequirePass: password,
	})
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, master.Process, 1, 0, s)
	return group{master: master, replica: replica, sentinel: s}
}

func (g group) options() Options {
	return Options{SentinelAddrs: []string{g.sentinel.Addr()}, MasterName: masterName, Password: password, SentinelPassword: password}
}

func startWriter(t *testing.T, opts Options) *Writer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

// Writes go through the sentinel to the master and all of them are found there; keys deleted
// or overwritten behind the writer's back are reported lost, and only those.
func TestVerifyFindsEveryAcknowledgedWriteAndReportsTheMissingOnes(t *testing.T) {
	g := newGroup(t)
	w := startWriter(t, g.options())
	ctx := context.Background()
	// Let it write a while: 30 acknowledged writes (about 300 ms at 10 ms each; on a loaded
	// machine a write can take longer, so the count is waited for, not the time).
	poll.Eventually(t, 30*time.Second, "30 acknowledged writes", func(context.Context) error {
		if n := w.Summary().Acked; n < 30 {
			return fmt.Errorf("%d acknowledged", n)
		}
		return nil
	})
	if _, err := w.Verify(ctx); err == nil || !strings.Contains(err.Error(), "before Stop") {
		t.Fatalf("Verify while writing: %v, want an error asking for Stop", err)
	}
	w.Stop()

	s := w.Summary()
	if s.Acked < 30 || s.Failed != 0 || s.Attempts != s.Acked {
		t.Fatalf("summary %+v: want at least 30 acknowledged and no failed writes", s)
	}
	v, err := w.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Master != g.master.Addr() || v.Checked != s.Acked || len(v.Lost) != 0 {
		t.Fatalf("verdict master %s checked %d lost %d; want %s, %d, 0", v.Master, v.Checked, len(v.Lost), g.master.Addr(), s.Acked)
	}

	writes := w.Writes()
	mc := g.master.Client()
	gone := []Write{writes[3], writes[17]}
	changed := writes[25]
	if err := mc.Del(ctx, gone[0].Key, gone[1].Key).Err(); err != nil {
		t.Fatal(err)
	}
	if err := mc.Set(ctx, changed.Key, "something else", 0).Err(); err != nil {
		t.Fatal(err)
	}
	v, err = w.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lost []int64
	for _, l := range v.Lost {
		lost = append(lost, l.Seq)
	}
	want := []int64{gone[0].Seq, gone[1].Seq, changed.Seq}
	if len(lost) != len(want) || lost[0] != want[0] || lost[1] != want[1] || lost[2] != want[2] {
		t.Fatalf("lost seqs %v, want %v", lost, want)
	}
}

// The master dies; the sentinel promotes the replica and the FailoverClient follows it. The
// writer's gap spans the kill, Verify reads the promoted replica, and every write acknowledged
// after the kill is there (those just before it may not have replicated: that is what the
// writer exists to find).
func TestWriterFollowsAFailoverAndVerifiesOnTheNewMaster(t *testing.T) {
	g := newGroup(t)
	w := startWriter(t, g.options())
	ctx := context.Background()
	if err := w.WaitAckAfter(ctx, time.Now().Add(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}

	killed := time.Now()
	g.master.Kill()
	resumeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := w.WaitAckAfter(resumeCtx, killed); err != nil {
		t.Fatalf("no write acknowledged after the master was killed: %v; summary %+v", err, w.Summary())
	}
	w.Stop()

	gap := w.GapAround(killed)
	if gap.From.After(killed) || !gap.To.After(killed) {
		t.Fatalf("gap around the kill %v..%v does not contain the kill at %v", gap.From, gap.To, killed)
	}
	if longest := w.LongestGap(time.Time{}, time.Time{}); longest.Duration() < gap.Duration() {
		t.Fatalf("longest gap %v shorter than the gap around the kill %v", longest.Duration(), gap.Duration())
	}
	t.Logf("gap around the kill: %v (down-after 1 s); summary %+v", gap.Duration(), w.Summary())

	v, err := w.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Master != g.replica.Addr() {
		t.Fatalf("verified on %s, want the promoted replica %s", v.Master, g.replica.Addr())
	}
	for _, l := range v.Lost {
		if l.Acked.After(killed) {
			t.Errorf("write %d acknowledged after the kill (%v) is missing on the new master", l.Seq, l.Acked.Sub(killed))
		}
	}
	t.Logf("verified %d acknowledged writes on %s, %d lost (all acknowledged before the kill)", v.Checked, v.Master, len(v.Lost))
}

// Two sentinels naming different masters under one name: Verify refuses to pick one.
func TestFinalMasterRefusesDisagreeingSentinels(t *testing.T) {
	a := redistest.StartServer(t, redistest.ServerOptions{})
	b := redistest.StartServer(t, redistest.ServerOptions{Host: "127.0.0.2"})
	sa := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Monitors: []redistest.Monitor{{Name: masterName, Master: a.Process, Quorum: 1}}})
	sb := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Host: "127.0.0.3", Monitors: []redistest.Monitor{{Name: masterName, Master: b.Process, Quorum: 1}}})
	ctx := context.Background()

	got, err := FinalMaster(ctx, []string{sa.Addr()}, masterName, "")
	if err != nil || got != a.Addr() {
		t.Fatalf("FinalMaster of one sentinel = %q, %v; want %s", got, err, a.Addr())
	}
	_, err = FinalMaster(ctx, []string{sa.Addr(), sb.Addr()}, masterName, "")
	if err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Fatalf("FinalMaster of disagreeing sentinels: %v, want a disagreement error", err)
	}
	// An unreachable sentinel does not count as a view; one that answers is enough.
	closed := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	got, err = FinalMaster(ctx, []string{closed, sb.Addr()}, masterName, "")
	if err != nil || got != b.Addr() {
		t.Fatalf("FinalMaster with one unreachable sentinel = %q, %v; want %s", got, err, b.Addr())
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

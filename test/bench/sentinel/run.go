package main

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"

	"github.com/failover-dev/redis-failover-operator/test/bench/benchenv"
)

const masterName = "mymaster"

// impl is a sentinel implementation under test.
type impl struct {
	name   string
	binary string // "" = Debian's redis-sentinel
	// metrics starts our sentinel with --metrics-addr, and the idle window scrapes it once, as
	// a Prometheus would, so that the resource figures include serving metrics.
	metrics bool
}

type variant struct {
	fault     string // one of faults
	downAfter time.Duration
}

func (v variant) String() string {
	return fmt.Sprintf("%s, down-after %d", v.fault, v.downAfter.Milliseconds())
}

// result is what one run measured; durations are after the fault, -1 when it never happened.
type result struct {
	err            string
	firstReport    time.Duration
	allReport      time.Duration
	writeGap       time.Duration // last ok write on the old master -> first ok write on the new one
	faultToFirstOK time.Duration // fault -> first ok write on the new master
	lostSet        int
	lostIncr       int
	oldAcksAfter   int // writes the old master acknowledged after the fault
	failedOps      int // client ops that returned an error after the fault
	switches       int // distinct +switch-master announcements
	tilt           bool
	aborts         []string  // -failover-abort-* events after the fault
	rssKB          []int     // idle, one per sentinel
	cpuPct         []float64 // idle, one per sentinel, % of one core
	phases         map[string]time.Duration
}

// phaseEvents are the failover steps whose first appearance (on any sentinel) is timed.
var phaseEvents = []string{"+sdown", "+odown", "+try-failover", "+elected-leader", "+selected-slave",
	"+failover-state-wait-promotion", "+promoted-slave", "+switch-master", "+slave-reconf-done", "+failover-end"}

const (
	preFault     = 5 * time.Second
	reportWithin = 60 * time.Second
)

// faults are the faults a run can apply: SIGKILL of the master; SENTINEL FAILOVER; the
// master's process shut down (SHUTDOWN NOSAVE) and restarted in place, empty and fenced as the
// Redis pods' start script starts it; SIGSTOP of the master, which answers nothing and closes
// nothing, as a deleted pod or a lost node.
var faults = []string{"kill", "switchover", "crash", "stop"}

func knownFault(f string) bool {
	for _, k := range faults {
		if f == k {
			return true
		}
	}
	return false
}

// runOnce builds a fresh topology, applies the fault and measures (the setup docs/bench-sentinel.md describes).
func runOnce(im impl, v variant, n int) result {
	s, err := benchenv.NewScope("bench-sentinel-", fmt.Sprintf("%s %s run %d", im.name, v, n))
	if err != nil {
		return result{err: err.Error()}
	}
	defer s.Close()
	// measure fills r as it goes, so a run that fails after the idle window still reports
	// its resource figures.
	var r result
	if err := s.Do(func() { measure(s, im, v, &r) }); err != nil {
		r.err = err.Error()
	}
	return r
}

func measure(s *benchenv.Scope, im impl, v variant, r *result) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	master := redistest.StartServer(s, redistest.ServerOptions{})
	r1 := redistest.StartServer(s, redistest.ServerOptions{ReplicaOf: master.Process})
	r2 := redistest.StartServer(s, redistest.ServerOptions{ReplicaOf: master.Process})
	redistest.WaitReplicaOnline(s, 30*time.Second, master.Process, r1.Process, r2.Process)

	mon := []redistest.Monitor{{Name: masterName, Master: master.Process, Quorum: 2, DownAfter: v.downAfter}}
	var sentinels []*redistest.Sentinel
	var sentinelAddrs []string
	var metricsURLs []string
	for i := 0; i < 3; i++ {
		opts := redistest.SentinelOptions{Binary: im.binary, Monitors: mon}
		if im.metrics {
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(redistest.FreePort(s, "127.0.0.1")))
			opts.Args = []string{"--metrics-addr", addr}
			metricsURLs = append(metricsURLs, "http://"+addr+"/metrics")
		}
		sn := redistest.StartSentinel(s, opts)
		sentinels = append(sentinels, sn)
		sentinelAddrs = append(sentinelAddrs, sn.Addr())
	}
	// A run starts when every sentinel sees both replicas (link ok) and both other sentinels.
	redistest.WaitSentinelReady(s, 60*time.Second, masterName, master.Process, 2, 2, sentinels...)

	events := &eventLog{}
	for i, sn := range sentinels {
		stop, err := subscribe(ctx, i, sn.Addr(), events)
		if err != nil {
			s.Fatalf("%v", err)
		}
		s.Cleanup(stop)
	}
	pollers := make([]*masterPoller, len(sentinels))
	for i, sn := range sentinels {
		pollers[i] = &masterPoller{}
		go pollers[i].run(ctx, sn.Addr(), master.Addr())
	}

	w := newWriter(sentinelAddrs, []string{master.Addr(), r1.Addr(), r2.Addr()})
	s.Cleanup(func() { _ = w.client.Close() })
	wctx, stopWriter := context.WithCancel(ctx)
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); w.run(wctx) }()

	// Idle resources over the 5 s before the fault, with the writer running.
	before := make([]time.Duration, len(sentinels))
	for i, sn := range sentinels {
		t, err := benchenv.CPUTime(sn.Pid())
		if err != nil {
			s.Fatalf("%v", err)
		}
		before[i] = t
	}
	idleStart := time.Now()
	for _, u := range metricsURLs {
		if err := scrapeMetrics(ctx, u); err != nil {
			s.Fatalf("%v", err)
		}
	}
	time.Sleep(preFault) // the measurement window itself, not a wait for a condition
	elapsed := time.Since(idleStart)
	for i, sn := range sentinels {
		t, err := benchenv.CPUTime(sn.Pid())
		if err != nil {
			s.Fatalf("%v", err)
		}
		r.cpuPct = append(r.cpuPct, float64(t-before[i])/float64(elapsed)*100)
		rss, err := rssKB(sn.Pid())
		if err != nil {
			s.Fatalf("%v", err)
		}
		r.rssKB = append(r.rssKB, rss)
	}

	fault := time.Now()
	switch v.fault {
	case "kill":
		master.Kill()
	case "crash":
		master.CrashAndRestartFenced()
	case "stop":
		master.Stop()
	case "switchover":
		if err := sentinels[0].Client().Do(ctx, "SENTINEL", "FAILOVER", masterName).Err(); err != nil {
			s.Fatalf("SENTINEL FAILOVER on %s: %v", sentinels[0].Addr(), err)
		}
	}

	// Wait for every sentinel to report a new master, then keep watching long enough for a
	// spurious second failover (one has been seen about one down-after later with redis-sentinel) and for the client to
	// settle on the new master.
	var allAt time.Time
	err := poll.Until(ctx, reportWithin, poll.Interval, func(context.Context) error {
		for i, p := range pollers {
			at, _, _ := p.result()
			if at.IsZero() {
				return fmt.Errorf("sentinel %d still reports the old master", i)
			}
			if at.After(allAt) {
				allAt = at
			}
		}
		return nil
	})
	if err != nil {
		// Keep going: the events say why (e.g. an aborted failover), and are reported.
		r.err = fmt.Sprintf("after the %s: %v", v.fault, err)
	} else {
		settle := max(5*time.Second, 3*v.downAfter)
		time.Sleep(time.Until(allAt.Add(settle))) // observation window, not a wait for a condition
	}
	stopWriter()
	<-writerDone
	cancel()

	ops := w.snapshot()
	evs := events.snapshot()
	r.firstReport, r.allReport = -1, -1
	for _, p := range pollers {
		at, _, _ := p.result()
		d := at.Sub(fault)
		if r.firstReport < 0 || d < r.firstReport {
			r.firstReport = d
		}
		if d > r.allReport {
			r.allReport = d
		}
	}
	clientTimes(r, ops, fault, master.Addr())
	r.lostSet, r.lostIncr = lostAcks(ops)
	r.phases = map[string]time.Duration{}
	switches := map[string]bool{}
	for _, e := range evs {
		if e.at.Before(fault) {
			continue
		}
		// +sdown/+odown are also published for replicas and sentinels; time the master's.
		isMasterEvent := !strings.HasSuffix(e.channel, "down") || strings.HasPrefix(e.payload, "master ")
		if _, seen := r.phases[e.channel]; !seen && isMasterEvent {
			r.phases[e.channel] = e.at.Sub(fault)
		}
		if strings.HasPrefix(e.channel, "-failover-abort") {
			r.aborts = append(r.aborts, e.channel)
		}
		switch e.channel {
		case "+switch-master":
			switches[e.payload] = true
		case "+tilt":
			r.tilt = true
		}
	}
	r.switches = len(switches)
	if r.switches > 1 {
		s.Logf("%d distinct +switch-master: %s", r.switches, strings.Join(keys(switches), " | "))
	}
}

// clientTimes derives the client-side figures from the op log.
func clientTimes(r *result, ops []op, fault time.Time, oldMaster string) {
	r.writeGap, r.faultToFirstOK = -1, -1
	var lastOldOK time.Time
	for _, o := range ops {
		if o.end.Before(fault) {
			if o.err == nil && o.server == oldMaster {
				lastOldOK = o.end
			}
			continue
		}
		if o.err != nil {
			r.failedOps++
			continue
		}
		if o.server == oldMaster {
			r.oldAcksAfter++
			lastOldOK = o.end
			continue
		}
		if r.faultToFirstOK < 0 {
			r.faultToFirstOK = o.end.Sub(fault)
			r.writeGap = o.end.Sub(lastOldOK)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

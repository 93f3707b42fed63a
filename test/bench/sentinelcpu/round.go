package main

import (
	"fmt"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/bench/benchenv"
)

// runRound starts every implementation's group, then measures them all over the same windows.
func runRound(n int, impls []impl, o options) ([]sample, error) {
	s, err := benchenv.NewScope("bench-sentinelcpu-", fmt.Sprintf("round %d", n))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []sample
	err = s.Do(func() { out = measure(s, impls, o) })
	return out, err
}

func measure(s *benchenv.Scope, impls []impl, o options) []sample {
	groups := make([]*group, len(impls))
	for i, im := range impls {
		groups[i] = startGroup(s, im, o.downAfter)
	}
	for _, g := range groups {
		g.waitReady(s)
	}
	samples := make([]sample, len(groups))
	for i, g := range groups {
		samples[i].impl = g.impl.name
	}

	if o.idle > 0 {
		used, elapsed := window(s, groups, o.idle)
		for i := range groups {
			samples[i].idlePct = perSentinelPct(used[i], elapsed, len(groups[i].sentinels))
		}
	}

	loads := make([]*load, len(groups))
	for i, g := range groups {
		loads[i] = startLoad(g.sentinelAddrs(), g.dataAddrs(), o.pollEvery, o.writes)
		s.Cleanup(loads[i].stop)
	}
	time.Sleep(o.warmup) // lets clients connect and discover the master; not a wait for a condition
	pollsBefore := make([]int64, len(loads))
	for i, l := range loads {
		pollsBefore[i] = l.polls.Load()
	}
	used, elapsed := window(s, groups, o.duration)
	for i, g := range groups {
		n := len(g.sentinels)
		polls := loads[i].polls.Load() - pollsBefore[i]
		samples[i].polledPct = perSentinelPct(used[i], elapsed, n)
		samples[i].pollRate = float64(polls) / float64(n) / elapsed.Seconds()
		samples[i].errors = loads[i].errors.Load()
		if polls > 0 {
			idleCPU := time.Duration(samples[i].idlePct / 100 * float64(n) * float64(elapsed))
			samples[i].usPerPoll = float64((used[i] - idleCPU).Microseconds()) / float64(polls)
		}
	}
	return samples
}

// window returns each group's CPU time over d (the measurement itself, not a wait).
func window(s *benchenv.Scope, groups []*group, d time.Duration) ([]time.Duration, time.Duration) {
	before := make([]time.Duration, len(groups))
	for i, g := range groups {
		t, err := g.cpu()
		if err != nil {
			s.Fatalf("%v", err)
		}
		before[i] = t
	}
	start := time.Now()
	time.Sleep(d)
	elapsed := time.Since(start)
	used := make([]time.Duration, len(groups))
	for i, g := range groups {
		t, err := g.cpu()
		if err != nil {
			s.Fatalf("%v", err)
		}
		used[i] = t - before[i]
	}
	return used, elapsed
}

func perSentinelPct(used, elapsed time.Duration, sentinels int) float64 {
	return 100 * used.Seconds() / elapsed.Seconds() / float64(sentinels)
}

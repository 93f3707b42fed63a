// Command sentinelcpu measures the CPU a sentinel spends per client request, ours against
// Debian's redis-sentinel 7.0.15, under the client traffic of test/bench/sentinel's idle window:
// SENTINEL get-master-addr-by-name on every sentinel every 5 ms plus a FailoverClient writing.
//
// Each round starts one group per implementation (its own master, two replicas and three
// sentinels, all real processes on 127.0.0.1) and measures all groups at the same time, so
// that other activity on the machine affects them alike: first with no clients ("idle"), then
// under the polling ("polled"). CPU is utime+stime from /proc/<pid>/stat (10 ms ticks).
//
//	go run ./test/bench/sentinelcpu -ours before=bin/redis-failover-sentinel.old,after=bin/redis-failover-sentinel
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

type options struct {
	rounds    int
	idle      time.Duration
	warmup    time.Duration
	duration  time.Duration
	pollEvery time.Duration
	writes    int
	downAfter time.Duration
}

func main() {
	oursFlag := flag.String("ours", "ours=bin/redis-failover-sentinel", "our sentinel binaries as label=path, comma-separated")
	stock := flag.Bool("stock", true, "also measure Debian's /usr/bin/redis-sentinel")
	var o options
	flag.IntVar(&o.rounds, "rounds", 3, "rounds (each starts fresh processes)")
	flag.DurationVar(&o.idle, "idle", 5*time.Second, "measurement window with no clients (0 skips it)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "time the load runs before its measurement window")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measurement window under load")
	flag.DurationVar(&o.pollEvery, "poll", 5*time.Millisecond, "interval of each sentinel's get-master-addr-by-name poller")
	flag.IntVar(&o.writes, "writes", 100, "FailoverClient SETs per second (0: no writer)")
	flag.DurationVar(&o.downAfter, "down-after", time.Second, "down-after-milliseconds of the monitored master")
	flag.Parse()
	log.SetFlags(log.Ltime)
	// go-redis logs every master discovery of the FailoverClients; the table is the output.
	redis.SetLogger(quietLogger{})

	impls, err := parseImpls(*oursFlag, *stock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sentinelcpu:", err)
		os.Exit(2)
	}
	results := map[string][]sample{}
	for r := 1; r <= o.rounds; r++ {
		samples, err := runRound(r, impls, o)
		if err != nil {
			log.Printf("round %d failed: %v", r, err)
			continue
		}
		for _, sm := range samples {
			log.Printf("round %d %-10s idle %5.2f%%  polled %5.2f%%  %6.1f polls/s  %5.1f µs/poll", r, sm.impl,
				sm.idlePct, sm.polledPct, sm.pollRate, sm.usPerPoll)
			results[sm.impl] = append(results[sm.impl], sm)
		}
	}
	printTable(impls, results, o)
}

func parseImpls(ours string, stock bool) ([]impl, error) {
	var impls []impl
	for _, item := range strings.Split(ours, ",") {
		if item == "" {
			continue
		}
		label, path, ok := strings.Cut(item, "=")
		if !ok || label == "" || path == "" {
			return nil, fmt.Errorf("-ours: %q is not label=path", item)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("-ours: %s: %w (run make build?)", label, err)
		}
		impls = append(impls, impl{name: label, binary: path})
	}
	if stock {
		impls = append(impls, impl{name: "stock"})
	}
	if len(impls) == 0 {
		return nil, fmt.Errorf("nothing to measure: give -ours or -stock")
	}
	return impls, nil
}

// sample is one implementation's figures in one round, per sentinel (CPU as % of one core).
type sample struct {
	impl      string
	idlePct   float64
	polledPct float64
	pollRate  float64 // successful polls per second per sentinel
	usPerPoll float64 // CPU above idle per poll, in microseconds
	errors    int64
}

func printTable(impls []impl, results map[string][]sample, o options) {
	fmt.Printf("\nPer sentinel, min / median / max over rounds. Polled: get-master-addr-by-name every %s on each sentinel, FailoverClient %d SET/s; %s window after %s warm-up. Idle: no clients, %s.\n\n",
		o.pollEvery, o.writes, o.duration, o.warmup, o.idle)
	fmt.Println("| sentinel | rounds | idle CPU % | polled CPU % | polls/s | CPU µs per poll (above idle) | client errors |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, im := range impls {
		ss := results[im.name]
		if len(ss) == 0 {
			fmt.Printf("| %s | 0 | | | | | |\n", im.name)
			continue
		}
		var errs int64
		for _, s := range ss {
			errs += s.errors
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %d |\n", im.name, len(ss),
			spread(ss, func(s sample) float64 { return s.idlePct }, "%.2f"),
			spread(ss, func(s sample) float64 { return s.polledPct }, "%.2f"),
			spread(ss, func(s sample) float64 { return s.pollRate }, "%.0f"),
			spread(ss, func(s sample) float64 { return s.usPerPoll }, "%.1f"),
			errs)
	}
}

func spread(ss []sample, f func(sample) float64, format string) string {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return fmt.Sprintf(format+" / "+format+" / "+format, v[0], v[len(v)/2], v[len(v)-1])
}

// quietLogger drops go-redis's internal log lines.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Command sentinel benchmarks failover with our sentinel beside Debian's redis-sentinel 7.0.15,
// on the same machine in the same run (docs/bench-sentinel.md): 1 master + 2 replicas, 3 sentinels
// (quorum 2), a go-redis v9 FailoverClient writing every 10 ms, and two faults (SIGKILL of the
// master, SENTINEL FAILOVER) at two down-after-milliseconds settings. It prints min/median/max
// tables and writes them to a Markdown file. A benchmark, not a test: nothing is asserted.
//
//	go run ./test/bench/sentinel -runs 5 -ours bin/redis-failover-sentinel -out docs/bench-sentinel.md
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func main() {
	runs := flag.Int("runs", 5, "runs per implementation, fault and down-after")
	quick := flag.Bool("quick", false, "development mode: 1 run, down-after 1000 only (overrides -runs and -down-after)")
	ours := flag.String("ours", "bin/redis-failover-sentinel", "our sentinel binary (`make build`); skipped with a note if missing")
	stock := flag.String("stock", redistest.RedisSentinelBinary, "stock redis-sentinel binary")
	implsFlag := flag.String("impls", "stock,ours", "implementations to run, comma-separated: stock, ours, ours-metrics (ours with --metrics-addr, scraped)")
	faultsFlag := flag.String("faults", "kill,switchover", "faults to apply, comma-separated: "+strings.Join(faults, ", "))
	downAfterFlag := flag.String("down-after", "1000,3000", "down-after-milliseconds values, comma-separated")
	out := flag.String("out", "docs/bench-sentinel.md", "Markdown report to write (empty: stdout only)")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	// go-redis logs every failed dial during a failover; the op log already records them.
	redis.SetLogger(quietLogger{})

	if *quick {
		*runs = 1
		*downAfterFlag = "1000"
	}
	var variants []variant
	for _, f := range strings.Split(*faultsFlag, ",") {
		if !knownFault(f) {
			log.Fatalf("-faults: %q is none of %s", f, strings.Join(faults, ", "))
		}
		for _, d := range strings.Split(*downAfterFlag, ",") {
			ms, err := strconv.Atoi(d)
			if err != nil || ms <= 0 {
				log.Fatalf("-down-after: %q is not a positive number of milliseconds", d)
			}
			variants = append(variants, variant{fault: f, downAfter: time.Duration(ms) * time.Millisecond})
		}
	}
	var impls []impl
	var notes []string
	for _, name := range strings.Split(*implsFlag, ",") {
		switch name {
		case "stock":
			impls = append(impls, impl{name: "redis-sentinel 7.0.15", binary: *stock})
		case "ours", "ours-metrics":
			if _, err := os.Stat(*ours); err != nil {
				notes = append(notes, fmt.Sprintf("Our sentinel was not measured: %s does not exist (run `make build`).", *ours))
				log.Printf("skipping %s: %v", name, err)
				continue
			}
			if name == "ours" {
				impls = append(impls, impl{name: "ours", binary: *ours})
			} else {
				impls = append(impls, impl{name: "ours, --metrics-addr on", binary: *ours, metrics: true})
			}
		default:
			log.Fatalf("-impls: %q is none of stock, ours, ours-metrics", name)
		}
	}

	started := time.Now().UTC()
	results := map[key][]result{}
	// Runs of the implementations alternate, so that slow drift of the shared machine's load
	// affects both alike.
	for _, v := range variants {
		for n := 1; n <= *runs; n++ {
			for _, im := range impls {
				log.Printf("%s, %s, run %d/%d", im.name, v, n, *runs)
				r := runOnce(im, v, n)
				if r.err != "" {
					log.Printf("  run failed: %s", r.err)
				} else {
					log.Printf("  first %v, all %v, write gap %v, lost SET %d INCR %d, switches %d",
						ms(r.firstReport), ms(r.allReport), ms(r.writeGap), r.lostSet, r.lostIncr, r.switches)
				}
				k := key{im.name, v}
				results[k] = append(results[k], r)
			}
		}
	}

	rep := report{
		started:  started,
		finished: time.Now().UTC(),
		command:  commandLine(),
		impls:    impls,
		variants: variants,
		runs:     *runs,
		results:  results,
		notes:    notes,
	}
	md := rep.markdown()
	fmt.Print(md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			log.Fatalf("writing %s: %v", *out, err)
		}
		log.Printf("wrote %s", *out)
	}
}

type key struct {
	impl    string
	variant variant
}

func commandLine() string {
	if c := os.Getenv("BENCH_COMMAND"); c != "" {
		return c
	}
	return "go run ./test/bench/sentinel " + strings.Join(os.Args[1:], " ")
}

func ms(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

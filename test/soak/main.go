// Command soak runs real Redis client libraries through repeated master kills, with our sentinel
// and with Debian's redis-sentinel 7.0.15 in the same run, and reports per client how fast it
// recovered, whether it stalled, and whether any acknowledged write was lost.
//
// Each implementation gets one topology on 127.0.0.1 (1 master + 2 replicas, 3 sentinels, quorum
// 2, down-after-milliseconds 1000) for the whole soak. Every client (go-redis, redis-py, ioredis,
// node-redis: the programs in test/soak/clients) writes a unique key every 20 ms through the
// sentinels and prints each acknowledgement. The kills alternate between the topologies; each
// one SIGKILLs the current master, waits until every client has an acknowledged write that was
// sent after the kill (its recovery) or the stall limit passes, then restarts the victim as a
// replica of the new master and waits for the sentinels to see the whole topology again. At the
// end every acknowledged key is read back from each final master.
//
// A soak, not a test: it prints a table and writes it to a Markdown file; `-check` makes it exit
// non-zero when our sentinel shows a stall or a lost write (CI's short run).
//
//	go run ./test/soak -kills 50 -ours bin/redis-failover-sentinel -out docs/soak-clients.md
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/test/bench/benchenv"
	"github.com/failover-dev/redis-failover-operator/test/checkwriter"
)

type options struct {
	kills      int
	stallAfter time.Duration
	downAfter  time.Duration
	logDir     string
	trace      bool
	clientsDir string
}

func main() {
	var o options
	flag.IntVar(&o.kills, "kills", 50, "master kills per implementation")
	flag.DurationVar(&o.stallAfter, "stall", 30*time.Second, "a client that has not recovered this long after a kill has stalled")
	flag.DurationVar(&o.downAfter, "down-after", time.Second, "sentinel down-after-milliseconds")
	ours := flag.String("ours", "bin/redis-failover-sentinel", "our sentinel binary (`make build`)")
	stock := flag.String("stock", redistest.RedisSentinelBinary, "stock redis-sentinel binary")
	implsFlag := flag.String("impls", "stock,ours", "implementations, comma-separated")
	flag.StringVar(&o.clientsDir, "clients-dir", "test/soak/clients", "directory of the client programs, with node_modules installed (npm ci)")
	goClient := flag.String("goredis", "bin/soak-goredis", "the go-redis client program (go build ./test/soak/clients/goredis)")
	clientsFlag := flag.String("clients", "go-redis,redis-py,ioredis,node-redis", "clients, comma-separated")
	flag.StringVar(&o.logDir, "logs", "", "directory for the clients' output and the sentinel events (default: a new temporary directory)")
	flag.BoolVar(&o.trace, "trace", false, "record node-redis's own trace in its log (SOAK_TRACE=1)")
	out := flag.String("out", "docs/soak-clients.md", "Markdown report to write (empty: stdout only)")
	check := flag.Bool("check", false, "exit 1 if our sentinel shows a stall or a lost acknowledged write")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	// go-redis logs every failed dial of the harness's polls; the polls report what matters.
	checkwriter.SilenceClientLogs()

	kinds, err := clientKinds(strings.Split(*clientsFlag, ","), o.clientsDir, *goClient)
	if err != nil {
		log.Fatal(err)
	}
	var impls []impl
	for _, name := range strings.Split(*implsFlag, ",") {
		switch name {
		case "stock":
			impls = append(impls, impl{name: "redis-sentinel 7.0.15", binary: ""})
			if *stock != redistest.RedisSentinelBinary {
				impls[len(impls)-1] = impl{name: "stock (" + *stock + ")", binary: *stock}
			}
		case "ours":
			if _, err := os.Stat(*ours); err != nil {
				log.Fatalf("-ours: %v (run `make build`)", err)
			}
			impls = append(impls, impl{name: "ours", binary: *ours})
		default:
			log.Fatalf("-impls: %q is neither stock nor ours", name)
		}
	}
	if o.logDir == "" {
		if o.logDir, err = os.MkdirTemp("", "soak-clients-logs-"); err != nil {
			log.Fatal(err)
		}
	} else if err := os.MkdirAll(o.logDir, 0o755); err != nil {
		log.Fatal(err)
	}
	log.Printf("client output and sentinel events go to %s", o.logDir)

	started, load := time.Now().UTC(), loadAverage()
	res, sums, err := soak(o, impls, kinds)
	if err != nil {
		log.Fatalf("soak: %v", err)
	}
	rep := report{started: started, loadAtStart: load, finished: time.Now().UTC(), command: commandLine(), opts: o,
		impls: impls, kinds: kinds, results: res, sentinels: sums}
	md := rep.markdown()
	fmt.Print(md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			log.Fatalf("writing %s: %v", *out, err)
		}
		log.Printf("wrote %s", *out)
	}
	if *check {
		if bad := rep.oursProblems(); len(bad) > 0 {
			log.Fatalf("our sentinel: %s", strings.Join(bad, "; "))
		}
	}
}

// clientKinds resolves the client programs and checks that they can run.
func clientKinds(names []string, dir, goClient string) ([]clientKind, error) {
	var out []clientKind
	for _, n := range names {
		var k clientKind
		switch n {
		case "go-redis":
			k = clientKind{name: n, argv: []string{goClient}}
		case "redis-py":
			// Debian's interpreter, which has Debian's python3-redis (4.3.4).
			k = clientKind{name: n, argv: []string{"/usr/bin/python3", filepath.Join(dir, "redis-py.py")}}
		case "ioredis":
			k = clientKind{name: n, argv: []string{"node", filepath.Join(dir, "ioredis.js")}}
		case "node-redis":
			k = clientKind{name: n, argv: []string{"node", filepath.Join(dir, "node-redis.js")}}
		default:
			return nil, fmt.Errorf("-clients: unknown client %q (go-redis, redis-py, ioredis, node-redis)", n)
		}
		for i, a := range k.argv {
			if i == 0 && !strings.ContainsRune(a, '/') {
				continue // looked up in $PATH when started
			}
			if _, err := os.Stat(a); err != nil {
				return nil, fmt.Errorf("client %s: %w", n, err)
			}
		}
		out = append(out, k)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		for _, k := range out {
			if k.argv[0] == "node" {
				return nil, fmt.Errorf("client %s: %w (run `npm ci` in %s, or `make soak-clients`)", k.name, err, dir)
			}
		}
	}
	return out, nil
}

// soak runs the kills, alternating between the implementations' topologies.
func soak(o options, impls []impl, kinds []clientKind) (map[string]map[string]*clientResult, map[string]sentinelSummary, error) {
	type run struct {
		scope   *benchenv.Scope
		topo    *topology
		clients []*clientProc
		res     map[string]*clientResult
		forced  []int // kills after which the sentinels did not fail over by themselves
	}
	var runs []*run
	defer func() {
		for _, r := range runs {
			for _, c := range r.clients {
				c.stop()
			}
			r.scope.Close()
		}
	}()
	for _, im := range impls {
		s, err := benchenv.NewScope("soak-clients-", im.label())
		if err != nil {
			return nil, nil, err
		}
		r := &run{scope: s, res: map[string]*clientResult{}}
		runs = append(runs, r)
		if err := s.Do(func() {
			r.topo = startTopology(s, im, o.downAfter, o.logDir)
			for _, k := range kinds {
				c := &clientProc{kind: k, topo: im.label(), master: masterName, sentinels: r.topo.sentinelAddrs(), logDir: o.logDir}
				if o.trace && k.name == "node-redis" {
					c.env = []string{"SOAK_TRACE=1"}
				}
				if err := c.start(30 * time.Second); err != nil {
					s.Fatalf("%v", err)
				}
				r.clients = append(r.clients, c)
				r.res[k.name] = &clientResult{}
			}
		}); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", im.name, err)
		}
	}
	for n := 1; n <= o.kills; n++ {
		for _, r := range runs {
			if err := r.scope.Do(func() { killOnce(o, r.topo, r.clients, r.res, &r.forced, n) }); err != nil {
				return nil, nil, fmt.Errorf("%s, kill %d: %w", r.topo.impl.name, n, err)
			}
		}
	}
	out := map[string]map[string]*clientResult{}
	sums := map[string]sentinelSummary{}
	for _, r := range runs {
		for _, c := range r.clients {
			c.stop()
		}
		if err := r.scope.Do(func() { checkAcks(r.topo, r.clients, r.res) }); err != nil {
			return nil, nil, fmt.Errorf("%s, checking the acknowledged writes: %w", r.topo.impl.name, err)
		}
		out[r.topo.impl.name] = r.res
		sum := r.topo.summary()
		sum.kills, sum.forced = o.kills, r.forced
		sums[r.topo.impl.name] = sum
	}
	return out, sums, nil
}

// settleTimeout bounds each wait for the topology to be whole again; the sentinels re-read a
// restarted replica's INFO only every 10 s, and a run on a machine shared with other work
// (load average above 40 once) saw one take over a minute.
const settleTimeout = 3 * time.Minute

// failoverGrace is how long after the stall limit the sentinels may still take to agree on a
// new master before the soak forces a failover.
const failoverGrace = 10 * time.Second

// killOnce is one kill: settle, make sure every client writes, kill the master, time each
// client's recovery, and bring the victim back as a replica.
func killOnce(o options, t *topology, clients []*clientProc, res map[string]*clientResult, forced *[]int, n int) {
	master := t.waitSettled(settleTimeout)
	settled := time.Now()
	for _, c := range clients {
		ensureWriting(t, c, res[c.kind.name], settled)
	}

	t.startKill(n)
	master.Kill()
	killAt := time.Now()
	t.note(map[string]any{"soak": "kill", "n": n, "master": master.Addr()})
	log.Printf("%s kill %d/%d: killed master %s", t.impl.label(), n, o.kills, master.Addr())

	pending := map[*clientProc]bool{}
	for _, c := range clients {
		pending[c] = true
	}
	// Polls the clients' acknowledgements; a stall is the absence of one, so this wait is the
	// measurement itself.
	_ = poll.Until(context.Background(), o.stallAfter, poll.Interval, func(context.Context) error {
		for c := range pending {
			if a, ok := c.firstAckStartedAfter(killAt); ok {
				res[c.kind.name].recoveries = append(res[c.kind.name].recoveries, a.at.Sub(killAt))
				delete(pending, c)
			}
		}
		if len(pending) > 0 {
			return fmt.Errorf("%d clients have not recovered", len(pending))
		}
		return nil
	})
	for _, c := range clients {
		res[c.kind.name].kills++
		if pending[c] {
			_, errs, lastErr := c.snapshot()
			res[c.kind.name].stalls = append(res[c.kind.name].stalls, stall{kill: n, at: killAt, lastErr: lastErr, errs: errs})
			t.note(map[string]any{"soak": "stall", "n": n, "client": c.kind.name, "lastErr": lastErr})
			log.Printf("%s kill %d: %s STALLED (no acknowledged write sent after the kill within %v; last error %q)",
				t.impl.label(), n, c.kind.name, o.stallAfter, lastErr)
		}
	}

	var newMaster string
	failedOver := func(ctx context.Context) error {
		m, err := t.agreedMaster(ctx)
		if err == nil && m == master.Addr() {
			err = fmt.Errorf("they still report the killed master %s", m)
		}
		newMaster = m
		return err
	}
	if err := poll.Until(context.Background(), failoverGrace, poll.Interval, failedOver); err != nil {
		// No failover (stock's split votes end in -failover-abort-not-elected, and the retry
		// waits 2*failover-timeout): force one, so that the soak goes on; the stalls are counted.
		log.Printf("%s kill %d: no failover %v after the stall limit (%v); sending SENTINEL FAILOVER", t.impl.label(), n, failoverGrace, err)
		t.note(map[string]any{"soak": "force-failover", "n": n, "why": err.Error()})
		t.forceFailover()
		*forced = append(*forced, n)
	}
	poll.Eventually(t.scope, settleTimeout, "the sentinels to agree on a new master", failedOver)
	t.restartAsReplica(master, t.servers[newMaster])
	t.note(map[string]any{"soak": "restarted", "n": n, "server": master.Addr(), "replicaof": newMaster})
}

// ensureWriting waits until the client has an acknowledged write sent after since; a client
// that has none within the stall limit (one that stalled at the previous kill and never came
// back, or one that exited) is restarted, so that every kill starts with every client writing.
func ensureWriting(t *topology, c *clientProc, r *clientResult, since time.Time) {
	for attempt := 1; ; attempt++ {
		err := poll.Until(context.Background(), 30*time.Second, poll.Interval, func(context.Context) error {
			if !c.running() {
				return fmt.Errorf("%s is not running", c.kind.name)
			}
			if _, ok := c.firstAckStartedAfter(since); !ok {
				return fmt.Errorf("%s has no acknowledged write since %s", c.kind.name, since.Format(time.TimeOnly))
			}
			return nil
		})
		if err == nil {
			return
		}
		if attempt == 3 {
			t.scope.Fatalf("%v, even after 2 restarts", err)
		}
		log.Printf("%s: %v; restarting it", t.impl.label(), err)
		t.note(map[string]any{"soak": "restart-client", "client": c.kind.name, "why": err.Error()})
		c.stop()
		r.restarts++
		if err := c.start(30 * time.Second); err != nil {
			t.scope.Fatalf("%v", err)
		}
		since = time.Now()
	}
}

// checkAcks reads every acknowledged key back from the final master.
func checkAcks(t *topology, clients []*clientProc, res map[string]*clientResult) {
	master := t.waitSettled(settleTimeout)
	for _, c := range clients {
		acks, errs, _ := c.snapshot()
		lost, err := missing(context.Background(), master, acks)
		if err != nil {
			t.scope.Fatalf("%s: %v", c.kind.name, err)
		}
		r := res[c.kind.name]
		r.acked, r.errs, r.lost = len(acks), errs, len(lost)
		if len(lost) > 0 {
			log.Printf("%s: %s lost %d acknowledged writes, e.g. %s", t.impl.label(), c.kind.name, len(lost), lost[0])
		}
	}
}

func commandLine() string {
	if c := os.Getenv("SOAK_COMMAND"); c != "" {
		return c
	}
	return "go run ./test/soak " + strings.Join(os.Args[1:], " ")
}

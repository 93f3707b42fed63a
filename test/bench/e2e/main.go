// Command e2e is the end-to-end benchmark of operations on a RedisFailover on the local cluster
// (make bench-e2e), and the timeline of the demo (make demo).
//
//	e2e run -impl redis-failover -rows graceful-delete,sigkill -runs 5 -out ours.json
//	e2e report -out docs/bench-e2e.md ours.json stock.json
//	e2e demo -namespace demo -name cache -secret cache-auth -scenario delete
//
// `run` measures each row against the sentinel implementation the operator currently runs
// (hack/bench-e2e.sh installs it with one, then the other), on one RedisFailover reused across
// runs, with the checking writer of test/checkwriter. `report` renders the phases side by side.
// It runs on the host: the local cluster's pod and Service addresses route from there, and
// containerd's socket is how a container's process gets a SIGKILL.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/checkwriter"
)

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	checkwriter.SilenceClientLogs()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: e2e run|report|demo [flags] (see -h of each)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = cmdRun(ctx, os.Args[2:])
	case "report":
		err = cmdReport(os.Args[2:])
	case "demo":
		err = cmdDemo(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: use run, report or demo", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func cmdRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	impl := fs.String("impl", "redis-failover", "the sentinel implementation the operator runs (a label for the results: redis-failover or redis-sentinel)")
	ns := fs.String("namespace", "", "namespace of the benchmark's RedisFailover (default bench-e2e-<impl>)")
	rowList := fs.String("rows", "", "comma-separated rows (default: all)")
	runs := fs.Int("runs", 5, "runs per row")
	downAfter := fs.Duration("down-after", 3*time.Second, "spec.sentinel.downAfterMilliseconds")
	failoverTimeout := fs.Duration("failover-timeout", 10*time.Second, "spec.sentinel.failoverTimeout")
	out := fs.String("out", "", "where to write the results (JSON)")
	keep := fs.Bool("keep", false, "keep the namespace afterwards")
	ctrAddress := fs.String("ctr-address", "", "containerd socket of the local cluster's node (for the SIGKILL row)")
	trace := fs.Bool("trace", false, "log each run's timeline: sentinel events, role labels and the longest gap, relative to t0")
	plots := fs.String("plots", "", "directory for the timeline picture of each row's first run (SVG)")
	_ = fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("run: -out is required")
	}
	selected := rows
	if *rowList != "" {
		selected = nil
		for _, name := range strings.Split(*rowList, ",") {
			r, err := rowByName(strings.TrimSpace(name))
			if err != nil {
				return err
			}
			selected = append(selected, r)
		}
	}
	if *ns == "" {
		*ns = "bench-e2e-" + *impl
	}
	return runPhase(ctx, runConfig{impl: *impl, ns: *ns, name: "bench", rows: selected, runs: *runs,
		downAfter: *downAfter, failoverTimeout: *failoverTimeout, out: *out, keep: *keep, ctrAddress: *ctrAddress, trace: *trace, plotDir: *plots})
}

func cmdReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	out := fs.String("out", "", "markdown file to write (also printed)")
	command := fs.String("command", "make bench-e2e", "the command that produced the results")
	commit := fs.String("commit", "unknown", "the commit measured")
	redisImage := fs.String("redis-image", "", "the Redis image")
	kube := fs.String("kubernetes", "", "the Kubernetes version")
	plots := fs.String("plots", "", "directory holding the runs' timeline pictures, linked under the table when present")
	_ = fs.Parse(args)
	phases, err := readPhases(fs.Args())
	if err != nil {
		return err
	}
	in := reportInput{command: *command, commit: *commit, redisImage: *redisImage, kubernetes: *kube, phases: phases}
	if *plots != "" {
		in.plots = existingPlots(*plots, *out, phases)
	}
	md := renderReport(in)
	fmt.Print(md)
	if *out == "" {
		return nil
	}
	return os.WriteFile(*out, []byte(md), 0o644)
}

func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	ns := fs.String("namespace", "demo", "namespace of the RedisFailover")
	name := fs.String("name", "cache", "the RedisFailover (and master name)")
	secret := fs.String("secret", "cache-auth", "the Secret with its password")
	scenario := fs.String("scenario", "delete", "delete (master pod deleted) or sigkill (master's redis-server killed)")
	ctrAddress := fs.String("ctr-address", "", "containerd socket of the local cluster's node (for sigkill)")
	_ = fs.Parse(args)
	k, err := newCluster(*ns, *name, *ctrAddress)
	if err != nil {
		return err
	}
	if err := k.usePassword(ctx, *secret); err != nil {
		return err
	}
	return runDemo(ctx, os.Stdout, k, *scenario)
}

// existingPlots lists, row by row and ours before stock, the timeline pictures the run phases
// left in dir, with paths relative to the report at out.
func existingPlots(dir, out string, phases []phase) []plotLink {
	var links []plotLink
	seen := map[string]bool{}
	for _, ph := range phases {
		for _, name := range ph.Rows {
			if seen[name] {
				continue
			}
			seen[name] = true
			title := name
			if r, err := rowByName(name); err == nil {
				title = r.title
			}
			for _, p := range phases {
				file := filepath.Join(dir, plotFile(p.Impl, name))
				if _, err := os.Stat(file); err != nil {
					continue
				}
				rel, err := filepath.Rel(filepath.Dir(out), file)
				if err != nil {
					rel = file
				}
				links = append(links, plotLink{caption: title + ", " + implLabel(p.Impl), path: filepath.ToSlash(rel)})
			}
		}
	}
	return links
}

// Command redis-failover-sentinel is the Redis-Sentinel-compatible failover server:
//
//	redis-failover-sentinel [flags] sentinel.conf
//
// It reads and keeps rewriting sentinel.conf like redis-sentinel does. It links no Kubernetes
// package, so that its idle footprint stays within stock redis-sentinel's (about 12 MB RSS).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"

	"github.com/failover-dev/redis-failover-operator/internal/sentinel/daemon"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("redis-failover-sentinel", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: redis-failover-sentinel [flags] sentinel.conf")
		fs.PrintDefaults()
	}
	port := fs.Int("port", -1, "TCP port to listen on (overrides the file's `port`; 0 picks a free port)")
	bind := fs.String("bind", "", "comma-separated addresses to listen on (overrides the file's `bind`)")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics, e.g. :9355 (off when empty)")
	logLevel := fs.String("loglevel", "notice", "log level: warning, notice, verbose or debug")
	// redis-sentinel's own form, `redis-sentinel sentinel.conf --port N`, puts flags after the
	// file; accept both orders.
	var conf string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			// flag has printed the usage, and for a bad flag a line naming it.
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		if conf != "" {
			fmt.Fprintf(os.Stderr, "redis-failover-sentinel: one config file expected, got %q and %q\n", conf, fs.Arg(0))
			return 2
		}
		conf, rest = fs.Arg(0), fs.Args()[1:]
	}
	if conf == "" {
		fs.Usage()
		return 2
	}
	verbosity, err := verbosityOf(*logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis-failover-sentinel:", err)
		return 2
	}
	log := newLogger(verbosity)
	var binds []string
	if *bind != "" {
		binds = strings.Split(*bind, ",")
	}
	d, err := daemon.New(daemon.Options{
		ConfigPath: conf, Port: *port, Bind: binds, Log: log, MetricsAddr: *metricsAddr,
		Exit: func(code int) { os.Exit(code) },
	})
	if err != nil {
		log.Error(err, "cannot start")
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := d.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error(err, "sentinel stopped")
		return 1
	}
	log.Info("sentinel is now ready to exit, bye bye", "config", conf)
	return 0
}

func verbosityOf(level string) (int, error) {
	switch strings.ToLower(level) {
	case "warning", "notice":
		return 0, nil
	case "verbose":
		return 1, nil
	case "debug":
		return 2, nil
	}
	return 0, fmt.Errorf("--loglevel %q: use warning, notice, verbose or debug", level)
}

// newLogger writes one line per entry to stderr: timestamp, name, message and key/values.
func newLogger(verbosity int) logr.Logger {
	return funcr.New(func(prefix, args string) {
		ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		if prefix != "" {
			fmt.Fprintf(os.Stderr, "%s %s %s\n", ts, prefix, args)
			return
		}
		fmt.Fprintf(os.Stderr, "%s %s\n", ts, args)
	}, funcr.Options{Verbosity: verbosity})
}

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
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"

	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
	sentinelconf "github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
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
	var disc sentinel.DiscoveryConfig
	fs.StringVar(&disc.MasterName, "discover-master", "", "find this master by itself when it monitors nothing, and forget addresses no pod has (needs the other --discover-* flags)")
	fs.StringVar(&disc.Sentinels, "discover-sentinels", "", "HOST:PORT whose DNS lists every sentinel of the group (a headless Service)")
	fs.StringVar(&disc.Redis, "discover-redis", "", "HOST:PORT whose DNS lists every Redis node of the group (a headless Service)")
	fs.StringVar(&disc.SettingsFile, "discover-settings", "", "file of the master's options, one SENTINEL SET pair per line, with a quorum line")
	fs.StringVar(&disc.AuthFile, "discover-auth-file", "", "file holding the Redis nodes' password (optional)")
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
	// The file's process options apply as in redis-sentinel: loglevel (unless --loglevel is
	// given), logfile ("" is the standard stream) and pidfile, relative paths being taken from
	// `dir`. daemon.New loads the file again, for the state it holds.
	fileCfg, err := sentinelconf.Load(conf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis-failover-sentinel: cannot start:", err)
		return 1
	}
	level := fileCfg.LogLevel
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "loglevel" {
			level = *logLevel
		}
	})
	verbosity, err := verbosityOf(level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis-failover-sentinel:", err)
		return 2
	}
	out := io.Writer(os.Stderr)
	if fileCfg.LogFile != "" {
		f, err := os.OpenFile(fileCfg.ResolvePath(fileCfg.LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "redis-failover-sentinel: cannot open logfile %q: %v; fix the path or set logfile \"\"\n", fileCfg.LogFile, err)
			return 1
		}
		defer f.Close()
		out = f
	}
	log := newLogger(out, verbosity)
	if fileCfg.PidFile != "" {
		pidPath := fileCfg.ResolvePath(fileCfg.PidFile)
		// As redis, a pidfile that cannot be written is logged, not fatal.
		if err := os.WriteFile(pidPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			log.Error(err, "writing the pidfile", "pidfile", pidPath)
		} else {
			defer os.Remove(pidPath)
		}
	}
	discovery, err := discoveryOf(disc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis-failover-sentinel:", err)
		return 2
	}
	var binds []string
	if *bind != "" {
		binds = strings.Split(*bind, ",")
	}
	d, err := daemon.New(daemon.Options{
		ConfigPath: conf, Port: *port, Bind: binds, Log: log, MetricsAddr: *metricsAddr, Discovery: discovery,
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

// discoveryOf checks that the --discover-* flags come together: all of them but the auth file,
// or none.
func discoveryOf(d sentinel.DiscoveryConfig) (*sentinel.DiscoveryConfig, error) {
	given := map[string]string{"--discover-master": d.MasterName, "--discover-sentinels": d.Sentinels,
		"--discover-redis": d.Redis, "--discover-settings": d.SettingsFile}
	var missing []string
	for _, name := range []string{"--discover-master", "--discover-sentinels", "--discover-redis", "--discover-settings"} {
		if given[name] == "" {
			missing = append(missing, name)
		}
	}
	switch {
	case len(missing) == 4 && d.AuthFile == "":
		return nil, nil
	case len(missing) > 0:
		return nil, fmt.Errorf("discovery needs %s as well: give all of --discover-master, --discover-sentinels, --discover-redis and --discover-settings, or none", strings.Join(missing, ", "))
	}
	return &d, nil
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
	return 0, fmt.Errorf("loglevel %q: use warning, notice, verbose or debug", level)
}

// newLogger writes one line per entry to out: timestamp, name, message and key/values.
func newLogger(out io.Writer, verbosity int) logr.Logger {
	var mu sync.Mutex
	return funcr.New(func(prefix, args string) {
		ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		mu.Lock()
		defer mu.Unlock()
		if prefix != "" {
			fmt.Fprintf(out, "%s %s %s\n", ts, prefix, args)
			return
		}
		fmt.Fprintf(out, "%s %s\n", ts, args)
	}, funcr.Options{Verbosity: verbosity})
}

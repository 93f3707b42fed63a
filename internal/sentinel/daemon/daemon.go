// Package daemon wires a sentinel process together: the config file (conf), the failover engine
// (sentinel) and the network front (server). The binary and the in-process integration tests
// both start sentinels through it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel/server"
)

// Options start a sentinel.
type Options struct {
	// ConfigPath is the sentinel.conf to load and keep rewriting; it must be writable.
	ConfigPath string
	// Port and Bind override the file's `port` and `bind` when set (Port -1 means the file's
	// port; 0 picks a free port).
	Port int
	Bind []string
	Log  logr.Logger
	// Exit ends the process for SENTINEL SIMULATE-FAILURE (os.Exit in the binary).
	Exit func(code int)
	// Clock overrides time.Now for the engine.
	Clock sentinel.Clock
	// MetricsAddr, when set, is the host:port that serves Prometheus metrics at /metrics.
	MetricsAddr string
	// Discovery, when set, lets the sentinel find its master and forget gone addresses by
	// itself (sentinel.DiscoveryConfig).
	Discovery *sentinel.DiscoveryConfig
}

// Daemon is one running sentinel.
type Daemon struct {
	Engine *sentinel.Engine
	Server *server.Server
	// Config is the loaded file; its process options (logfile, pidfile, loglevel) are the
	// binary's to apply.
	Config *conf.Config
	log    logr.Logger

	metricsAddr string
	metrics     *metricsServer
	discovery   *sentinel.DiscoveryConfig
}

// New loads the config, checks that it can be rewritten, and builds the engine and the server.
func New(opts Options) (*Daemon, error) {
	cfg, err := conf.Load(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	if opts.Port >= 0 {
		cfg.Port = opts.Port
	}
	if len(opts.Bind) > 0 {
		cfg.Bind = opts.Bind
	}
	for _, u := range cfg.Users {
		if len(u) > 0 && u[0] != "default" {
			// redis-sentinel's own rewrite adds a `user default ...` line, which matches
			// requirepass; other accounts would authenticate on stock and do not here.
			opts.Log.Info("WARNING: ACL users from `user` lines are not enforced by this sentinel: only requirepass "+
				"authenticates clients; remove the line, or give clients the requirepass password",
				"config", cfg.Path, "user", u[0])
		}
	}
	now := time.Now
	if opts.Clock != nil {
		now = opts.Clock
	}
	state, err := sentinel.NewStateFromConfig(cfg, sentinel.DefaultParams(), now())
	if err != nil {
		return nil, fmt.Errorf("sentinel config %s: %w", opts.ConfigPath, err)
	}
	store := &sentinel.ConfStore{Config: cfg}
	// redis-sentinel refuses to start without a writable config: state (votes in particular)
	// must survive a restart. Saving now also persists a newly generated myid.
	if err := store.Save(state); err != nil {
		return nil, fmt.Errorf("sentinel config %s must be writable: %w", opts.ConfigPath, err)
	}
	engine := sentinel.NewEngine(state, sentinel.EngineOptions{
		Log: opts.Log.WithName("engine"), Clock: opts.Clock, Store: store, Exit: opts.Exit,
	})
	addrs := make([]string, 0, len(cfg.Bind))
	for _, b := range cfg.Bind {
		addrs = append(addrs, listenAddr(b, cfg.Port))
	}
	if len(addrs) == 0 {
		addrs = []string{":" + strconv.Itoa(cfg.Port)}
	}
	exe, _ := os.Executable()
	srv, err := server.New(server.Options{
		Addrs:       addrs,
		RequirePass: cfg.RequirePass.Reveal(),
		// A rotation changes the default user's passwords with ACL SETUSER; the links to the
		// peers then authenticate with the oldest password left, which every peer still accepts.
		// Like redis without an aclfile, the change lasts until the process restarts: the file
		// keeps the requirepass it started with.
		DefaultPasswordChanged: func(first string) {
			engine.View(func(s *sentinel.State) { s.Global.RequirePass = first })
		},
		Backend:    backend{engine},
		Logger:     opts.Log.WithName("server"),
		ConfigFile: cfg.Path,
		Executable: exe,
	})
	if err != nil {
		return nil, err
	}
	engine.SetPublisher(srv)
	return &Daemon{Engine: engine, Server: srv, Config: cfg, log: opts.Log, metricsAddr: opts.MetricsAddr, discovery: opts.Discovery}, nil
}

// Listen binds the server's addresses; the engine's hellos then announce the bound port.
func (d *Daemon) Listen() error {
	if err := d.Server.Listen(); err != nil {
		return err
	}
	port := d.Server.Port()
	d.Engine.View(func(s *sentinel.State) { s.Global.Port = port })
	if d.metricsAddr != "" {
		m, err := newMetricsServer(d.metricsAddr, d.Engine, d.log)
		if err != nil {
			return err
		}
		d.metrics = m
	}
	return nil
}

// MetricsAddr is the bound address of the metrics listener (empty when metrics are off).
func (d *Daemon) MetricsAddr() string {
	if d.metrics == nil {
		return ""
	}
	return d.metrics.ln.Addr().String()
}

// Run serves and monitors until ctx ends or a client runs SHUTDOWN, then persists the state.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.Listen(); err != nil {
		return err
	}
	engineCtx, stopEngine := context.WithCancel(ctx)
	engineDone := make(chan struct{})
	go func() {
		defer close(engineDone)
		d.Engine.Run(engineCtx)
	}()
	metricsDone := make(chan struct{})
	go func() {
		defer close(metricsDone)
		if d.metrics == nil {
			return
		}
		if err := d.metrics.serve(engineCtx); err != nil {
			d.log.Error(err, "metrics listener stopped", "addr", d.metricsAddr)
		}
	}()
	discoveryDone := make(chan struct{})
	go func() {
		defer close(discoveryDone)
		if d.discovery != nil {
			d.Engine.RunDiscovery(engineCtx, *d.discovery)
		}
	}()
	err := d.Server.Serve(ctx)
	stopEngine()
	<-engineDone
	<-metricsDone
	<-discoveryDone
	if saveErr := d.Engine.Shutdown(); saveErr != nil {
		d.log.Error(saveErr, "persisting state on exit")
	}
	if errors.Is(err, server.ErrShutdown) {
		return nil
	}
	return err
}

// listenAddr turns one `bind` value into a listen address as redis reads it: "*" is every IPv4
// address, "::*" every IPv6 one, and a leading "-" marks an address that may be unavailable
// (server.Options.Addrs keeps the "-").
func listenAddr(bind string, port int) string {
	optional := ""
	if strings.HasPrefix(bind, "-") {
		optional, bind = "-", bind[1:]
	}
	switch bind {
	case "*":
		bind = "0.0.0.0"
	case "::*":
		bind = "::"
	}
	return optional + net.JoinHostPort(bind, strconv.Itoa(port))
}

// backend adapts the engine to server.Backend.
type backend struct{ e *sentinel.Engine }

func (b backend) RunID() string { return b.e.RunID() }
func (b backend) Sentinel(_ server.ClientInfo, args []string) resp.Value {
	return b.e.Sentinel(args)
}
func (b backend) InfoSentinel() []string { return b.e.InfoSentinel() }
func (b backend) MasterNames() []string  { return b.e.MasterNames() }
func (b backend) Hello(payload string)   { b.e.Hello(payload) }
func (b backend) Shutdown() error        { return b.e.Shutdown() }

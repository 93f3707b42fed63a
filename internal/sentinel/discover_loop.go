package sentinel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// DiscoveryConfig tells a sentinel where the pods of its group are, so that it finds the master
// by itself (discover.go) and forgets addresses no pod has (forget.go). The operator passes it
// as flags; without it the sentinel behaves as redis-sentinel does.
type DiscoveryConfig struct {
	// MasterName is the name to monitor the master under.
	MasterName string
	// Sentinels and Redis are comma-separated host:port lists whose DNS gives every sentinel
	// pod and every Redis pod of the group: on Kubernetes, one headless Service name each
	// (publishing not-ready addresses); elsewhere, the instances' addresses.
	Sentinels string
	Redis     string
	// SettingsFile holds the master's options, one `SENTINEL SET` pair per line (`quorum 2`,
	// `down-after-milliseconds 3000`, `rename-command CONFIG c0nf1g`). It is read at every use:
	// a mounted ConfigMap changes in place.
	SettingsFile string
	// AuthFile holds the Redis nodes' password (auth-pass); empty or missing means none.
	AuthFile string
	// Interval is how often the pods are listed (and, while nothing is monitored, asked).
	Interval time.Duration
}

// discoveryTimeout bounds one question to one pod.
const discoveryTimeout = time.Second

// RunDiscovery lists the group's pods every Interval until ctx ends: while cfg.MasterName is not
// monitored it asks them for the master and adopts the one Discover picks; always, it tells the
// state which addresses pods have.
func (e *Engine) RunDiscovery(ctx context.Context, cfg DiscoveryConfig) {
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	log := e.log.WithName("discovery").WithValues("master", cfg.MasterName)
	lastReason := ""
	ticker := time.NewTicker(cfg.Interval)
	defer ticker.Stop()
	for {
		reason, err := e.discoverOnce(ctx, cfg)
		switch {
		case err != nil && ctx.Err() == nil:
			if err.Error() != lastReason {
				log.Error(err, "finding the master")
			}
			lastReason = err.Error()
		case reason != "" && reason != lastReason:
			log.Info("waiting for a master to adopt", "why", reason)
			lastReason = reason
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// discoverOnce is one round: list the pods, and adopt a master if none is monitored. It returns
// why nothing was adopted ("" when the master is monitored).
func (e *Engine) discoverOnce(ctx context.Context, cfg DiscoveryConfig) (string, error) {
	sentinelAddrs, serr := lookup(ctx, cfg.Sentinels)
	redisAddrs, rerr := lookup(ctx, cfg.Redis)
	e.mu.Lock()
	if serr == nil && rerr == nil {
		e.state.SetGroupHosts(hostsOf(sentinelAddrs), hostsOf(redisAddrs), e.now())
		e.apply(e.state.AddGroupNodes(cfg.MasterName, redisAddrs, e.now()))
	}
	_, monitored := e.state.Masters[cfg.MasterName]
	sentinelPass := e.state.Global.SentinelPass
	sentinelUser := e.state.Global.SentinelUser
	if sentinelPass == "" {
		sentinelUser, sentinelPass = "", e.state.Global.RequirePass
	}
	e.mu.Unlock()
	if monitored {
		return "", nil
	}
	if err := errors.Join(serr, rerr); err != nil {
		return "", err
	}
	settings, err := readDiscoverySettings(cfg.SettingsFile)
	if err != nil {
		return "", err
	}
	password, err := readPasswordFile(cfg.AuthFile)
	if err != nil {
		return "", err
	}

	peers := make([]PeerView, len(sentinelAddrs))
	nodes := make([]NodeView, len(redisAddrs))
	done := make(chan struct{})
	for i, a := range sentinelAddrs {
		go func() {
			defer func() { done <- struct{}{} }()
			peers[i] = askPeer(ctx, a.String(), sentinelUser, sentinelPass, cfg.MasterName)
		}()
	}
	for i, a := range redisAddrs {
		go func() {
			defer func() { done <- struct{}{} }()
			v, err := query(ctx, a.String(), "", password, settings.command("INFO"))
			nodes[i] = NodeView{Addr: a, Err: err, Info: v.Str}
		}()
	}
	for range len(peers) + len(nodes) {
		<-done
	}
	choice := Discover(peers, nodes)
	if choice.Master.IsZero() {
		return choice.Reason, nil
	}
	return "", e.adopt(cfg.MasterName, choice, settings, password)
}

// adopt monitors the chosen master with the settings, in one critical section so that no tick
// runs on a half-configured master, and persists it.
func (e *Engine) adopt(name string, c DiscoveryChoice, settings discoverySettings, password string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.state.Masters[name]; ok {
		return nil // monitored meanwhile (the operator)
	}
	now := e.now()
	var eff Effects
	run := func(args ...string) error {
		v, ef := e.state.Command(args, now)
		eff.Events = append(eff.Events, ef.Events...)
		eff.Commands = append(eff.Commands, ef.Commands...)
		eff.Scripts = append(eff.Scripts, ef.Scripts...)
		if v.Kind == resp.KindError {
			return fmt.Errorf("SENTINEL %s: %s", strings.Join(redactAuth(args), " "), v.Str)
		}
		return nil
	}
	if err := run("monitor", name, c.Master.Host, strconv.Itoa(c.Master.Port), strconv.Itoa(settings.quorum)); err != nil {
		return err
	}
	set := slices.Clone(settings.options)
	if password != "" {
		set = append(set, []string{"auth-pass", password})
	}
	for _, o := range set {
		if err := run(append([]string{"set", name}, o...)...); err != nil {
			// The master stays monitored with the options that took: a bad line in the
			// settings file is the operator's to fix, and failover matters more.
			e.log.Error(err, "adopting the master: an option was refused", "master", name)
		}
	}
	for _, r := range c.Replicas {
		if err := e.state.AddKnownReplica(name, r, now); err != nil {
			return err
		}
	}
	e.log.Info("adopted the master", "master", name, "addr", c.Master.String(), "knownReplicas", len(c.Replicas), "why", c.Reason)
	eff.Persist = true
	e.apply(eff)
	return nil
}

func redactAuth(args []string) []string {
	if len(args) >= 4 && strings.EqualFold(args[0], "set") && strings.EqualFold(args[2], "auth-pass") {
		return append(slices.Clone(args[:3]), "(redacted)")
	}
	return args
}

// askPeer asks one sentinel for the master (SENTINEL MASTER name).
func askPeer(ctx context.Context, addr, user, pass, name string) PeerView {
	p := PeerView{Addr: addr}
	v, err := query(ctx, addr, user, pass, "SENTINEL", "MASTER", name)
	if err != nil {
		var re replyError
		if errors.As(err, &re) && strings.Contains(strings.ToLower(string(re)), "no such master") {
			return p
		}
		p.Err = err
		return p
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		fields[v.Elems[i].Str] = v.Elems[i+1].Str
	}
	port, perr := strconv.Atoi(fields["port"])
	epoch, eerr := strconv.ParseUint(fields["config-epoch"], 10, 64)
	if fields["ip"] == "" || perr != nil || eerr != nil {
		p.Err = fmt.Errorf("sentinel %s: SENTINEL MASTER %s: no ip, port or config-epoch in %v", addr, name, fields)
		return p
	}
	p.Monitors, p.Master, p.ConfigEpoch = true, Addr{Host: fields["ip"], Port: port}, epoch
	return p
}

// replyError is an error reply from the asked pod.
type replyError string

func (e replyError) Error() string { return string(e) }

// query sends one command on a new connection (after AUTH when pass is set) and reads the reply.
func query(ctx context.Context, addr, user, pass string, args ...string) (resp.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return resp.Value{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	w := resp.NewWriter(bufio.NewWriter(conn))
	r := resp.NewReader(bufio.NewReader(conn), resp.ClientLimits)
	call := func(args ...string) (resp.Value, error) {
		if err := w.WriteCommand(args...); err != nil {
			return resp.Value{}, err
		}
		if err := w.Flush(); err != nil {
			return resp.Value{}, err
		}
		v, err := r.ReadValue()
		if err != nil {
			return resp.Value{}, fmt.Errorf("%s: reading the reply to %s: %w", addr, args[0], err)
		}
		if v.Kind == resp.KindError {
			return v, replyError(v.Str)
		}
		return v, nil
	}
	if pass != "" {
		auth := []string{"AUTH", pass}
		if user != "" {
			auth = []string{"AUTH", user, pass}
		}
		if _, err := call(auth...); err != nil {
			return resp.Value{}, fmt.Errorf("%s: AUTH: %w", addr, err)
		}
	}
	return call(args...)
}

// lookup resolves a comma-separated list of host:port entries to the addresses of the pods
// behind them: a headless Service's name lists every pod; an IP stands for itself.
func lookup(ctx context.Context, list string) ([]Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var out []Addr
	for _, entry := range strings.Split(list, ",") {
		host, portText, err := net.SplitHostPort(strings.TrimSpace(entry))
		if err != nil {
			return nil, fmt.Errorf("discovery address %q: %w", entry, err)
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return nil, fmt.Errorf("discovery address %q: bad port: %w", entry, err)
		}
		hosts, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("listing the pods behind %s: %w", host, err)
		}
		for _, h := range hosts {
			out = append(out, Addr{Host: h, Port: port})
		}
	}
	slices.SortFunc(out, func(a, b Addr) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out), nil
}

func hostsOf(addrs []Addr) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Host
	}
	return out
}

// discoverySettings is the parsed SettingsFile.
type discoverySettings struct {
	quorum  int
	options [][]string // SENTINEL SET name-value pairs, in file order
	renames map[string]string
}

// command is the name the Redis nodes know cmd by (rename-command lines).
func (s discoverySettings) command(cmd string) string {
	if to, ok := s.renames[strings.ToUpper(cmd)]; ok {
		return to
	}
	return cmd
}

func readDiscoverySettings(path string) (discoverySettings, error) {
	s := discoverySettings{renames: map[string]string{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("reading the master's settings: %w", err)
	}
	return parseDiscoverySettings(path, string(data))
}

func parseDiscoverySettings(path, text string) (discoverySettings, error) {
	s := discoverySettings{renames: map[string]string{}}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 {
			return s, fmt.Errorf("%s line %d: %q: want an option and its value", path, i+1, line)
		}
		switch strings.ToLower(f[0]) {
		case "quorum":
			q, err := strconv.Atoi(f[1])
			if err != nil || q < 1 {
				return s, fmt.Errorf("%s line %d: quorum %q: want a positive number", path, i+1, f[1])
			}
			s.quorum = q
			continue
		case "rename-command":
			if len(f) != 3 {
				return s, fmt.Errorf("%s line %d: rename-command takes a command and its new name", path, i+1)
			}
			s.renames[strings.ToUpper(f[1])] = f[2]
		}
		s.options = append(s.options, f)
	}
	if s.quorum == 0 {
		return s, fmt.Errorf("%s: no quorum line", path)
	}
	return s, nil
}

func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the Redis password: %w", err)
	}
	return string(data), nil
}

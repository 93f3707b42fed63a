package conf

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/failover-dev/redis-failover-operator/internal/confargs"
)

// Load reads and validates the sentinel config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sentinel config: %w", err)
	}
	return Parse(path, data)
}

// Parse validates config file contents; name is used in errors and becomes Config.Path.
func Parse(name string, data []byte) (*Config, error) {
	p := &parser{file: name, cfg: New(name)}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("reading sentinel config: finding the working directory: %w", err)
	}
	p.cfg.WorkDir = wd
	if err := p.parse(data); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

type parser struct {
	file string
	cfg  *Config
	// Sentinel lines in the order redis applies them: global settings first, then the
	// monitors, then everything that refers to a master.
	preMonitor, monitor, postMonitor []Directive
	// seen finds duplicate replicas, sentinels and renames in constant time per line.
	seen map[string]bool
}

// firstSeen records key and reports whether it is new.
func (p *parser) firstSeen(key string) bool {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if p.seen[key] {
		return false
	}
	p.seen[key] = true
	return true
}

// preMonitorDirectives are applied before any `sentinel monitor` (redis's preMonitorCfgName).
var preMonitorDirectives = setOf("announce-ip", "announce-port", "deny-scripts-reconfig",
	"sentinel-user", "sentinel-pass", "current-epoch", "myid", "resolve-hostnames", "announce-hostnames")

func (p *parser) parse(data []byte) error {
	for i, raw := range strings.Split(string(data), "\n") {
		lineNo := i + 1
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.IndexByte(line, 0) >= 0 {
			return p.errf(lineNo, "", "the line contains a NUL byte; write it as \\x00 inside double quotes")
		}
		args, err := confargs.Split(line)
		if err != nil {
			return p.errf(lineNo, "", "%v in configuration line; close the quote or escape it (\\\" or \\')", err)
		}
		if len(args) == 0 {
			continue
		}
		if err := p.directive(Directive{Line: lineNo, Args: args}); err != nil {
			return err
		}
	}
	for _, queue := range [][]Directive{p.preMonitor, p.monitor, p.postMonitor} {
		for _, d := range queue {
			if err := p.sentinel(d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *parser) errf(line int, directive, format string, args ...any) error {
	return &LineError{File: p.file, Line: line, Directive: directive, Reason: fmt.Sprintf(format, args...)}
}

// directive handles one top-level line; sentinel lines are queued for later.
func (p *parser) directive(d Directive) error {
	name := strings.ToLower(d.Args[0])
	vals := d.Args[1:]
	c := p.cfg
	one := func() (string, error) {
		if len(vals) != 1 {
			return "", p.errf(d.Line, name, "wants exactly one value, got %d", len(vals))
		}
		return vals[0], nil
	}
	yesNo := func() (bool, error) {
		v, err := one()
		if err != nil {
			return false, err
		}
		b, ok := parseYesNo(v)
		if !ok {
			return false, p.errf(d.Line, name, "%q is neither yes nor no", v)
		}
		return b, nil
	}
	var err error
	switch name {
	case "sentinel":
		if len(vals) == 0 {
			return nil // a bare "sentinel" line only asks for sentinel mode
		}
		sub := strings.ToLower(vals[0])
		q := Directive{Line: d.Line, Args: append([]string{sub}, vals[1:]...)}
		switch {
		case sub == "monitor":
			p.monitor = append(p.monitor, q)
		case preMonitorDirectives[sub]:
			p.preMonitor = append(p.preMonitor, q)
		default:
			p.postMonitor = append(p.postMonitor, q)
		}
	case "port":
		var v string
		if v, err = one(); err == nil {
			// 0 is redis's "no TCP listener"; accepted as redis does, the sentinel decides.
			c.Port, err = p.int(d.Line, name, v, 0, 65535, "a port number (0 to 65535)")
		}
	case "bind":
		if len(vals) == 0 || len(vals) > 16 {
			return p.errf(d.Line, name, "wants 1 to 16 addresses, got %d", len(vals))
		}
		c.Bind = append([]string(nil), vals...)
	case "dir":
		if c.Dir, err = one(); err == nil {
			err = p.changeDir(d.Line, c.Dir)
		}
	case "logfile":
		c.LogFile, err = one()
	case "pidfile":
		c.PidFile, err = one()
	case "aclfile":
		c.ACLFile, err = one()
	case "loglevel":
		var v string
		if v, err = one(); err == nil {
			v = strings.ToLower(v)
			switch v {
			case "debug", "verbose", "notice", "warning":
				c.LogLevel = v
			default:
				err = p.errf(d.Line, name, "%q is not one of debug, verbose, notice, warning", d.Args[1])
			}
		}
	case "daemonize":
		c.Daemonize, err = yesNo()
	case "protected-mode":
		c.ProtectedMode, err = yesNo()
	case "requirepass":
		if len(vals) != 1 {
			return p.errf(d.Line, name, "wants exactly one password, got %d values", len(vals))
		}
		c.RequirePass = Secret(vals[0])
	case "user":
		if len(vals) == 0 {
			return p.errf(d.Line, name, "wants a user name and ACL rules, e.g. user alice on >password ~* +@all")
		}
		c.Users = append(c.Users, append([]string(nil), vals...))
	case "include":
		return p.errf(d.Line, name, "is not supported by this sentinel; copy the included lines into this file, "+
			"which the sentinel rewrites as its state changes")
	default:
		if !otherDirectives[name] {
			return p.errf(d.Line, "", "unknown directive %q (redis-sentinel 7.0.15 does not know it either); remove the line", d.Args[0])
		}
		if len(vals) == 0 {
			return p.errf(d.Line, name, "wants a value")
		}
		c.Other = append(c.Other, Directive{Line: d.Line, Args: append([]string{name}, vals...)})
	}
	if err != nil {
		return err
	}
	if len(c.Users) > 0 && c.ACLFile != "" {
		return p.errf(d.Line, name, "users are defined both by user lines and by aclfile; keep one of the two (redis refuses both)")
	}
	return nil
}

// sentinelArity is the number of arguments after "sentinel <directive>", and their names for
// error messages. known-sentinel also takes a legacy form without the run id.
var sentinelArity = map[string]string{
	"monitor":                         "<master-name> <ip> <port> <quorum>",
	"down-after-milliseconds":         "<master-name> <milliseconds>",
	"failover-timeout":                "<master-name> <milliseconds>",
	"parallel-syncs":                  "<master-name> <count>",
	"notification-script":             "<master-name> <path>",
	"client-reconfig-script":          "<master-name> <path>",
	"auth-pass":                       "<master-name> <password>",
	"auth-user":                       "<master-name> <username>",
	"master-reboot-down-after-period": "<master-name> <milliseconds>",
	"config-epoch":                    "<master-name> <epoch>",
	"leader-epoch":                    "<master-name> <epoch>",
	"known-slave":                     "<master-name> <ip> <port>",
	"known-replica":                   "<master-name> <ip> <port>",
	"known-sentinel":                  "<master-name> <ip> <port> <runid>",
	"rename-command":                  "<master-name> <command> <renamed-command>",
	"current-epoch":                   "<epoch>",
	"myid":                            "<40-hex-char-id>",
	"announce-ip":                     "<ip>",
	"announce-port":                   "<port>",
	"deny-scripts-reconfig":           "<yes|no>",
	"sentinel-user":                   "<username>",
	"sentinel-pass":                   "<password>",
	"resolve-hostnames":               "<yes|no>",
	"announce-hostnames":              "<yes|no>",
}

func (p *parser) sentinel(d Directive) error {
	sub, vals := d.Args[0], d.Args[1:]
	dir := "sentinel " + sub
	usage, known := sentinelArity[sub]
	if !known {
		return p.errf(d.Line, dir, "unknown sentinel directive; see https://redis.io/docs/management/sentinel/ for the valid ones")
	}
	want := len(strings.Fields(usage))
	legacySentinel := sub == "known-sentinel" && len(vals) == 3
	if len(vals) != want && !legacySentinel {
		return p.errf(d.Line, dir, "wants %d arguments (%s), got %d", want, usage, len(vals))
	}
	c := p.cfg

	// Global settings.
	switch sub {
	case "current-epoch":
		e, err := p.epoch(d.Line, dir, vals[0])
		c.CurrentEpoch = max(c.CurrentEpoch, e)
		return err
	case "myid":
		if len(vals[0]) != RunIDLength || !isHexString(vals[0]) {
			return p.errf(d.Line, dir, "%q is not a %d-character hex id; delete the line to get a new id", vals[0], RunIDLength)
		}
		c.MyID = vals[0]
		return nil
	case "announce-ip":
		c.AnnounceIP = vals[0]
		return nil
	case "announce-port":
		n, err := p.int(d.Line, dir, vals[0], 0, 65535, "a port number (0 to 65535)")
		c.AnnouncePort = n
		return err
	case "sentinel-user":
		c.SentinelUser = vals[0]
		return nil
	case "sentinel-pass":
		c.SentinelPass = Secret(vals[0])
		return nil
	case "deny-scripts-reconfig", "resolve-hostnames", "announce-hostnames":
		b, ok := parseYesNo(vals[0])
		if !ok {
			return p.errf(d.Line, dir, "%q is neither yes nor no", vals[0])
		}
		switch sub {
		case "deny-scripts-reconfig":
			c.DenyScriptsReconfig = b
		case "resolve-hostnames":
			c.ResolveHostnames = b
		default:
			c.AnnounceHostnames = b
		}
		return nil
	case "monitor":
		return p.monitorLine(d.Line, dir, vals)
	}

	// Everything else refers to a master defined by a monitor line.
	m := c.Master(vals[0])
	if m == nil {
		return p.errf(d.Line, dir, "no master named %q; add `sentinel monitor %s <ip> <port> <quorum>` or fix the name",
			vals[0], confargs.Quote(vals[0]))
	}
	var err error
	switch sub {
	case "down-after-milliseconds":
		m.DownAfter, err = p.millis(d.Line, dir, vals[1], 1)
	case "failover-timeout":
		m.FailoverTimeout, err = p.millis(d.Line, dir, vals[1], 1)
	case "master-reboot-down-after-period":
		m.MasterRebootDownAfterPeriod, err = p.millis(d.Line, dir, vals[1], 0)
	case "parallel-syncs":
		m.ParallelSyncs, err = p.int(d.Line, dir, vals[1], 1, math.MaxInt32, "a positive integer")
	case "notification-script":
		m.NotificationScript, err = p.script(d.Line, dir, vals[1])
	case "client-reconfig-script":
		m.ClientReconfigScript, err = p.script(d.Line, dir, vals[1])
	case "auth-pass":
		m.AuthPass = Secret(vals[1])
	case "auth-user":
		m.AuthUser = vals[1]
	case "config-epoch":
		m.ConfigEpoch, err = p.epoch(d.Line, dir, vals[1])
		c.CurrentEpoch = max(c.CurrentEpoch, m.ConfigEpoch) // as redis: a config epoch implies the current one
	case "leader-epoch":
		m.LeaderEpoch, err = p.epoch(d.Line, dir, vals[1])
	case "known-slave", "known-replica":
		var a Addr
		if a, err = p.addr(d.Line, dir, vals[1], vals[2]); err == nil {
			if !p.firstSeen("replica\x00" + m.Name + "\x00" + a.String()) {
				return p.errf(d.Line, dir, "replica %s is listed twice for master %q; delete one line", a, m.Name)
			}
			m.KnownReplicas = append(m.KnownReplicas, a)
		}
	case "known-sentinel":
		if legacySentinel {
			return nil // redis ignores the old form without a run id, and so do we
		}
		var a Addr
		if a, err = p.addr(d.Line, dir, vals[1], vals[2]); err == nil {
			if !p.firstSeen("sentinel\x00" + m.Name + "\x00" + vals[3]) {
				return p.errf(d.Line, dir, "sentinel %s is listed twice for master %q; delete one line", vals[3], m.Name)
			}
			m.KnownSentinels = append(m.KnownSentinels, KnownSentinel{Addr: a, RunID: vals[3]})
		}
	case "rename-command":
		if !p.firstSeen("rename\x00" + m.Name + "\x00" + strings.ToLower(vals[1])) {
			return p.errf(d.Line, dir, "command %q is renamed twice for master %q; keep one line", vals[1], m.Name)
		}
		m.RenamedCommands = append(m.RenamedCommands, RenamedCommand{From: vals[1], To: vals[2]})
	}
	return err
}

func (p *parser) monitorLine(line int, dir string, vals []string) error {
	name := vals[0]
	if p.cfg.Master(name) != nil {
		return p.errf(line, dir, "master %q is monitored twice; keep one monitor line", name)
	}
	a, err := p.addr(line, dir, vals[1], vals[2])
	if err != nil {
		return err
	}
	quorum, err := strconv.Atoi(vals[3])
	if err != nil || quorum <= 0 {
		return p.errf(line, dir, "quorum %q is not a positive integer", vals[3])
	}
	p.cfg.Masters = append(p.cfg.Masters, NewMaster(name, a.Host, a.Port, quorum))
	return nil
}

// addr validates a host and port. Like redis, hosts must be IP addresses unless
// resolve-hostnames is on; names are not resolved here but when the sentinel connects.
func (p *parser) addr(line int, dir, host, port string) (Addr, error) {
	n, err := p.port(line, dir, port)
	if err != nil {
		return Addr{}, err
	}
	if net.ParseIP(host) == nil {
		if !p.cfg.ResolveHostnames {
			return Addr{}, p.errf(line, dir, "%q is not an IP address; to use hostnames add `sentinel resolve-hostnames yes`", host)
		}
		if !validHostname(host) {
			return Addr{}, p.errf(line, dir, "%q is neither an IP address nor a valid hostname", host)
		}
	}
	return Addr{Host: host, Port: n}, nil
}

func (p *parser) port(line int, dir, s string) (int, error) {
	return p.int(line, dir, s, 1, 65535, "a port number (1 to 65535)")
}

func (p *parser) int(line int, dir, s string, lo, hi int, what string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, p.errf(line, dir, "%q is not %s", s, what)
	}
	return n, nil
}

func (p *parser) millis(line int, dir, s string, lo int) (time.Duration, error) {
	what := "a positive integer"
	if lo == 0 {
		what = "a non-negative integer"
	}
	n, err := p.int(line, dir, s, lo, math.MaxInt32, what)
	return time.Duration(n) * time.Millisecond, err
}

func (p *parser) epoch(line int, dir, s string) (uint64, error) {
	e, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, p.errf(line, dir, "%q is not a non-negative integer", s)
	}
	return e, nil
}

// changeDir follows a `dir` line as redis does (it chdirs right away, and fails to start if it
// cannot): later relative paths are taken from there.
func (p *parser) changeDir(line int, dir string) error {
	abs := ResolveIn(p.cfg.WorkDir, dir)
	st, err := os.Stat(abs)
	if err == nil && !st.IsDir() {
		err = fmt.Errorf("%s is not a directory", abs)
	}
	if err != nil {
		return p.errf(line, "dir", "cannot change into %q (%v); create the directory or fix the path", dir, err)
	}
	p.cfg.WorkDir = filepath.Clean(abs)
	return nil
}

// script checks what redis checks at load: the path exists and is executable, relative paths
// being taken from the `dir` directory.
func (p *parser) script(line int, dir, path string) (string, error) {
	if err := unix.Access(p.cfg.ResolvePath(path), unix.X_OK); err != nil {
		return "", p.errf(line, dir, "%q is not an executable file (%v); fix the path or chmod +x it", path, err)
	}
	return path, nil
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes":
		return true, true
	case "no":
		return false, true
	}
	return false, false
}

func isHexString(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// validHostname accepts RFC 1123 names (letters, digits, hyphens, dots, underscores as
// Kubernetes service names sometimes have).
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if bytes.IndexFunc([]byte(label), func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) >= 0 {
			return false
		}
	}
	return true
}

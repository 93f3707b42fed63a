package conf

import (
	"net"
	"path/filepath"
	"strconv"
	"time"
)

// Defaults of redis-sentinel 7.0.15 for settings a file may leave out.
const (
	DefaultPort                = 26379
	DefaultLogLevel            = "notice"
	DefaultDownAfter           = 30 * time.Second
	DefaultFailoverTimeout     = 3 * time.Minute
	DefaultParallelSyncs       = 1
	DefaultDenyScriptsReconfig = true
	DefaultProtectedMode       = false // sentinel mode turns protected-mode off by default
	RunIDLength                = 40
)

// Config is one sentinel.conf: server options, global sentinel settings and state, and the
// monitored masters. The zero value is not useful; start from New or Load.
type Config struct {
	// Path is the file Load read and Save writes.
	Path string

	// Server options (the generic redis.conf part a sentinel uses).
	Port int
	Bind []string
	// Dir is the `dir` value as written (rewritten as written).
	Dir string
	// WorkDir is the absolute directory redis-sentinel would be in after loading this file:
	// the process's working directory at Load, changed by each `dir` line in turn (redis
	// chdirs as it reads the line). Relative script paths resolve against it; see ResolvePath.
	WorkDir       string
	LogFile       string
	LogLevel      string
	Daemonize     bool
	PidFile       string
	ProtectedMode bool
	RequirePass   Secret
	// Users are `user <name> <rule>...` ACL lines, each without the leading "user".
	// The rules may contain passwords (>pw, #hash): treat them as secret.
	Users   [][]string
	ACLFile string
	// Other are generic redis-server directives that redis-sentinel accepts but a sentinel has no
	// use for (maxmemory, tls-*, ...). They are kept as written; the engine may warn about them.
	Other []Directive

	// Global sentinel settings and state.
	MyID                string // 40 hex chars; "" until the sentinel generates one
	CurrentEpoch        uint64
	AnnounceIP          string
	AnnouncePort        int
	DenyScriptsReconfig bool
	SentinelUser        string
	SentinelPass        Secret
	ResolveHostnames    bool
	AnnounceHostnames   bool

	// Masters in the order of their `sentinel monitor` lines.
	Masters []*Master
}

// Directive is one config line as arguments, with its 1-based line number (0 if not from a file).
type Directive struct {
	Line int
	Args []string
}

// Master is one monitored master: its settings and the state the sentinel learned about it.
type Master struct {
	Name   string
	Host   string // current master address (after a failover, the promoted replica)
	Port   int
	Quorum int

	DownAfter            time.Duration
	FailoverTimeout      time.Duration
	ParallelSyncs        int
	NotificationScript   string
	ClientReconfigScript string
	AuthUser             string
	AuthPass             Secret
	// MasterRebootDownAfterPeriod: a master seen rebooting within this period is SDOWN
	// (0 disables the check).
	MasterRebootDownAfterPeriod time.Duration
	RenamedCommands             []RenamedCommand

	// Learned state.
	ConfigEpoch    uint64
	LeaderEpoch    uint64
	KnownReplicas  []Addr
	KnownSentinels []KnownSentinel
}

// Addr is a host (IP, or hostname with resolve-hostnames) and port.
type Addr struct {
	Host string
	Port int
}

func (a Addr) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// KnownSentinel is another sentinel monitoring the same master.
type KnownSentinel struct {
	Addr
	RunID string
}

// RenamedCommand maps a command name to the name it has on the master and its replicas.
type RenamedCommand struct {
	From, To string
}

// New returns a Config with redis-sentinel's defaults, to be saved at path.
func New(path string) *Config {
	return &Config{
		Path:                path,
		Port:                DefaultPort,
		LogLevel:            DefaultLogLevel,
		ProtectedMode:       DefaultProtectedMode,
		DenyScriptsReconfig: DefaultDenyScriptsReconfig,
	}
}

// NewMaster returns a master with default settings, as `sentinel monitor` creates it.
func NewMaster(name, host string, port, quorum int) *Master {
	return &Master{
		Name:            name,
		Host:            host,
		Port:            port,
		Quorum:          quorum,
		DownAfter:       DefaultDownAfter,
		FailoverTimeout: DefaultFailoverTimeout,
		ParallelSyncs:   DefaultParallelSyncs,
	}
}

// ResolvePath returns p as redis-sentinel would open it: relative paths are taken from
// WorkDir, because redis changes into `dir` while loading its config and then runs and checks
// notification-script and client-reconfig-script from there.
func (c *Config) ResolvePath(p string) string {
	return ResolveIn(c.WorkDir, p)
}

// ResolveIn joins a relative p to dir; absolute paths, and any path when dir is "", are kept.
func ResolveIn(dir, p string) string {
	if p == "" || dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// Addr is the master's current address.
func (m *Master) Addr() Addr { return Addr{Host: m.Host, Port: m.Port} }

// Master returns the master called name, or nil.
func (c *Config) Master(name string) *Master {
	for _, m := range c.Masters {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// RemoveMaster drops the master called name and reports whether it existed.
func (c *Config) RemoveMaster(name string) bool {
	for i, m := range c.Masters {
		if m.Name == name {
			c.Masters = append(c.Masters[:i], c.Masters[i+1:]...)
			return true
		}
	}
	return false
}

// Secret is a password. It prints and logs as "(redacted)"; Reveal gives the value.
type Secret string

const redacted = "(redacted)"

// Reveal returns the password itself, for AUTH and for writing the config file.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether a password is configured.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the password.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalLog keeps logr from logging the password.
func (s Secret) MarshalLog() any { return s.String() }

// MarshalText keeps JSON/YAML encoders from writing the password.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

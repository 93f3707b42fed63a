package sentinel

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GlobalConfig is the sentinel-wide configuration (not per master).
type GlobalConfig struct {
	MyID             string
	Port             int
	AnnounceIP       string
	AnnouncePort     int
	ResolveHostnames bool
	AnnounceHosts    bool
	SentinelUser     string
	SentinelPass     string
	// RequirePass is this sentinel's own password, also used towards the other sentinels
	// when sentinel-user/sentinel-pass are not set.
	RequirePass string
	// DenyScriptsReconfig refuses SENTINEL SET of notification-script/client-reconfig-script.
	DenyScriptsReconfig bool
	// Dir is the absolute directory redis-sentinel would run in (it changes into `dir` at
	// start): relative script paths are checked and run from there. "" means the process's
	// working directory.
	Dir string
}

// State is everything one sentinel knows. Its methods are the state machine: each takes the time
// explicitly and returns the Effects to carry out. It is not safe for concurrent use.
type State struct {
	Global       GlobalConfig
	CurrentEpoch uint64
	Params       Params
	Masters      map[string]*Master

	links map[string]*link // by "ip:port"

	tilt          bool
	tiltStart     time.Time
	prevTick      time.Time
	simulateFlags int // 1: crash after election, 2: crash after promotion
	rand          *rand.Rand
	// resolver resolves hostnames when resolve-hostnames is on (nil: IP addresses only).
	resolver Resolver
	// group is the latest list of the group's pods, for forgetting gone addresses (forget.go).
	group groupHosts
}

const (
	simulateCrashAfterElection  = 1
	simulateCrashAfterPromotion = 2
)

// NewState builds a state for the given config; seed makes the random failover-start jitter
// reproducible in tests.
func NewState(global GlobalConfig, params Params, seed uint64) *State {
	return &State{
		Global:  global,
		Params:  params,
		Masters: map[string]*Master{},
		links:   map[string]*link{},
		rand:    rand.New(rand.NewPCG(seed, seed^0x5eed)),
	}
}

// AddMaster starts monitoring a master (config load or SENTINEL MONITOR).
func (s *State) AddMaster(cfg MasterConfig, now time.Time) (*Master, error) {
	if _, ok := s.Masters[cfg.Name]; ok {
		return nil, fmt.Errorf("duplicate master name %q", cfg.Name)
	}
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = s.Params.DefaultDownAfter
	}
	if cfg.FailoverTimeout <= 0 {
		cfg.FailoverTimeout = s.Params.DefaultFailoverTimeout
	}
	if cfg.ParallelSyncs <= 0 {
		cfg.ParallelSyncs = 1
	}
	m := newMaster(cfg, now)
	s.Masters[cfg.Name] = m
	s.linkFor(m.Addr, now)
	return m, nil
}

// AddKnownReplica and AddKnownSentinel restore discovered instances from the config file.
func (s *State) AddKnownReplica(master string, addr Addr, now time.Time) error {
	m, ok := s.Masters[master]
	if !ok {
		return fmt.Errorf("known-replica for unknown master %q", master)
	}
	s.addReplica(m, addr, now)
	return nil
}

func (s *State) AddKnownSentinel(master string, addr Addr, runid string, now time.Time) error {
	m, ok := s.Masters[master]
	if !ok {
		return fmt.Errorf("known-sentinel for unknown master %q", master)
	}
	si := newInstance(RoleSentinel, runid, addr, now)
	si.RunID = runid
	m.Sentinels[runid] = si
	s.linkFor(addr, now)
	return nil
}

func (s *State) addReplica(m *Master, addr Addr, now time.Time) *Instance {
	r := newInstance(RoleReplica, addr.String(), addr, now)
	m.Replicas[r.Name] = r
	s.linkFor(addr, now)
	return r
}

func (s *State) linkFor(addr Addr, now time.Time) *link {
	key := addr.String()
	l, ok := s.links[key]
	if !ok {
		l = newLink(now)
		s.links[key] = l
	}
	return l
}

func (s *State) link(i *Instance) *link { return s.links[i.Addr.String()] }

// Target is one address the runtime keeps links to.
type Target struct {
	Addr     Addr
	Sentinel bool // cmd link only, no pubsub link
	AuthUser string
	AuthPass string
	Renames  map[string]string
}

// Targets lists the addresses to keep links to, and forgets link state nobody references.
func (s *State) Targets() []Target {
	seen := map[string]Target{}
	for _, m := range s.Masters {
		auth := func(a Addr) Target {
			return Target{Addr: a, AuthUser: m.Config.AuthUser, AuthPass: m.Config.AuthPass, Renames: m.Config.RenameCommands}
		}
		seen[m.Addr.String()] = auth(m.Addr)
		for _, r := range m.Replicas {
			seen[r.Addr.String()] = auth(r.Addr)
		}
		for _, si := range m.Sentinels {
			t := Target{Addr: si.Addr, Sentinel: true, AuthUser: s.Global.SentinelUser, AuthPass: s.Global.SentinelPass}
			if t.AuthPass == "" {
				t.AuthUser, t.AuthPass = "", s.Global.RequirePass
			}
			seen[si.Addr.String()] = t
		}
	}
	for k := range s.links {
		if _, ok := seen[k]; !ok {
			delete(s.links, k)
		}
	}
	out := make([]Target, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.String() < out[j].Addr.String() })
	return out
}

// event records a sentinel event in sentinel.c's format: "<role> <name> <ip> <port>" for an
// instance, followed by " @ <master> <ip> <port>" when the instance is not the master itself.
func (s *State) event(e *Effects, warning bool, typ string, m *Master, inst *Instance, rest string) {
	var b strings.Builder
	if inst != nil {
		b.WriteString(inst.Role.String())
		b.WriteByte(' ')
		b.WriteString(inst.Name)
		b.WriteByte(' ')
		b.WriteString(inst.Addr.Host)
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(inst.Addr.Port))
		if inst.Role != RoleMaster && m != nil {
			fmt.Fprintf(&b, " @ %s %s %d", m.Config.Name, m.Addr.Host, m.Addr.Port)
		}
		if rest != "" {
			b.WriteByte(' ')
		}
	}
	b.WriteString(rest)
	e.Events = append(e.Events, Event{Type: typ, Msg: b.String(), Warning: warning})
	// Warning-level events about a master or its instances run its notification-script with
	// the event type and description.
	if warning && m != nil && inst != nil && m.Config.NotificationScript != "" {
		e.Scripts = append(e.Scripts, Script{Path: m.Config.NotificationScript, Args: []string{typ, b.String()}})
	}
}

// clientReconfig runs the master's client-reconfig-script:
// <master-name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>.
func (s *State) clientReconfig(e *Effects, m *Master, role, state string, from, to Addr) {
	if m.Config.ClientReconfigScript == "" {
		return
	}
	e.Scripts = append(e.Scripts, Script{Path: m.Config.ClientReconfigScript, Args: []string{
		m.Config.Name, role, state, from.Host, strconv.Itoa(from.Port), to.Host, strconv.Itoa(to.Port)}})
}

// MonitorEvents are the +monitor events sentinel.c generates for every configured master when
// it starts.
func (s *State) MonitorEvents() Effects {
	var e Effects
	for _, m := range s.sortedMasters() {
		s.event(&e, true, "+monitor", m, m.Instance, "quorum "+strconv.Itoa(m.Config.Quorum))
	}
	return e
}

// Tilted reports whether the sentinel is in TILT mode and since when.
func (s *State) Tilted() (bool, time.Time) { return s.tilt, s.tiltStart }

// jitter is sentinel.c's rand()%SENTINEL_MAX_DESYNC.
func (s *State) jitter() time.Duration { return time.Duration(s.rand.IntN(1000)) * time.Millisecond }

// masterByAddr finds the master another sentinel asks about, comparing by IP or hostname as
// sentinelAddrOrHostnameEqual does (the asker shows the address its own way).
func (s *State) masterByAddr(a Addr) *Master {
	for _, m := range s.sortedMasters() {
		if m.Addr == a {
			return m
		}
	}
	for _, m := range s.sortedMasters() {
		if s.sameAddr(m.Addr, a) {
			return m
		}
	}
	return nil
}

func (s *State) sortedMasters() []*Master {
	out := make([]*Master, 0, len(s.Masters))
	for _, m := range s.Masters {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Config.Name < out[j].Config.Name })
	return out
}

// minPingPeriod bounds how often a fast ping period pings: the timer ticks every 100 ms.
const minPingPeriod = 100 * time.Millisecond

// pingPeriod is how often m's instances are pinged. sentinel.c pings every min(ping-period,
// down-after), so a master that vanishes without closing its connections (a deleted pod sends
// no RST) is judged down down-after after the first PING that goes unanswered, which leaves
// up to a whole ping period after the failure: 1 s of extra outage on top of down-after. This
// engine pings every down-after/10 (at least every 100 ms, at most every ping-period), which
// puts the first unanswered PING, and so the SDOWN, within a tenth of down-after of what the
// user asked for. The cost is a few PINGs a second per instance.
func (s *State) pingPeriod(m *Master) time.Duration {
	return min(s.Params.PingPeriod, m.Config.DownAfter, max(m.Config.DownAfter/10, minPingPeriod))
}

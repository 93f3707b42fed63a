package sentinel

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
)

// NewStateFromConfig builds the state a sentinel starts with from its config file: the global
// settings, the monitored masters with their learned replicas, sentinels and epochs. A missing
// myid is generated (and persisted by the first save).
func NewStateFromConfig(cfg *conf.Config, params Params, now time.Time) (*State, error) {
	myid := cfg.MyID
	if myid == "" {
		var b [20]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("generating sentinel myid: %w", err)
		}
		myid = hex.EncodeToString(b[:])
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	s := NewState(GlobalConfig{
		MyID:                myid,
		Port:                cfg.Port,
		AnnounceIP:          cfg.AnnounceIP,
		AnnouncePort:        cfg.AnnouncePort,
		ResolveHostnames:    cfg.ResolveHostnames,
		AnnounceHosts:       cfg.AnnounceHostnames,
		SentinelUser:        cfg.SentinelUser,
		SentinelPass:        cfg.SentinelPass.Reveal(),
		RequirePass:         cfg.RequirePass.Reveal(),
		DenyScriptsReconfig: cfg.DenyScriptsReconfig,
		Dir:                 cfg.WorkDir,
	}, params, uint64(seed[0])|uint64(seed[1])<<8|uint64(seed[2])<<16|uint64(seed[3])<<24)
	s.SetResolver(CachingResolver(NetResolver, resolveCacheTTL, time.Now))
	s.CurrentEpoch = cfg.CurrentEpoch
	for _, cm := range cfg.Masters {
		mc := MasterConfig{
			Name:                 cm.Name,
			Addr:                 s.knownAddr(Addr{Host: cm.Host, Port: cm.Port}),
			Quorum:               cm.Quorum,
			DownAfter:            cm.DownAfter,
			FailoverTimeout:      cm.FailoverTimeout,
			ParallelSyncs:        cm.ParallelSyncs,
			AuthUser:             cm.AuthUser,
			AuthPass:             cm.AuthPass.Reveal(),
			NotificationScript:   cm.NotificationScript,
			ClientReconfigScript: cm.ClientReconfigScript,
			RebootDownAfter:      cm.MasterRebootDownAfterPeriod,
		}
		if len(cm.RenamedCommands) > 0 {
			mc.RenameCommands = map[string]string{}
			for _, rc := range cm.RenamedCommands {
				mc.RenameCommands[strings.ToLower(rc.From)] = rc.To
			}
		}
		m, err := s.AddMaster(mc, now)
		if err != nil {
			return nil, fmt.Errorf("sentinel monitor %s: %w", cm.Name, err)
		}
		m.ConfigEpoch = cm.ConfigEpoch
		m.LeaderEpoch = cm.LeaderEpoch
		for _, r := range cm.KnownReplicas {
			a := s.knownAddr(Addr{Host: r.Host, Port: r.Port})
			if a == m.Addr {
				continue
			}
			s.addReplica(m, a, now)
		}
		for _, ks := range cm.KnownSentinels {
			if ks.RunID == myid {
				continue
			}
			if err := s.AddKnownSentinel(cm.Name, s.knownAddr(Addr{Host: ks.Host, Port: ks.Port}), ks.RunID, now); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// ConfStore persists the state into the config file it was loaded from, keeping the user's
// lines and comments (conf.Save).
type ConfStore struct {
	Config *conf.Config
}

// Save copies the state into the config and rewrites the file.
func (c *ConfStore) Save(s *State) error {
	exportState(s, c.Config)
	return conf.Save(c.Config)
}

func exportState(s *State, cfg *conf.Config) {
	cfg.MyID = s.Global.MyID
	cfg.CurrentEpoch = s.CurrentEpoch
	cfg.AnnounceIP = s.Global.AnnounceIP
	cfg.AnnouncePort = s.Global.AnnouncePort
	cfg.ResolveHostnames = s.Global.ResolveHostnames
	cfg.AnnounceHostnames = s.Global.AnnounceHosts
	cfg.SentinelUser = s.Global.SentinelUser
	cfg.SentinelPass = conf.Secret(s.Global.SentinelPass)

	old := map[string]*conf.Master{}
	for _, cm := range cfg.Masters {
		old[cm.Name] = cm
	}
	var masters []*conf.Master
	// Keep the file's order of masters; new ones (SENTINEL MONITOR) go last, by name.
	for _, cm := range cfg.Masters {
		if m, ok := s.Masters[cm.Name]; ok {
			masters = append(masters, exportMaster(s, m, cm))
		}
	}
	for _, m := range s.sortedMasters() {
		if _, ok := old[m.Config.Name]; !ok {
			masters = append(masters, exportMaster(s, m, nil))
		}
	}
	cfg.Masters = masters
}

func exportMaster(s *State, m *Master, cm *conf.Master) *conf.Master {
	addr := m.currentAddr()
	if cm == nil {
		cm = conf.NewMaster(m.Config.Name, addr.Host, addr.Port, m.Config.Quorum)
	}
	cm.Host, cm.Port = addr.Host, addr.Port
	cm.Quorum = m.Config.Quorum
	cm.DownAfter = m.Config.DownAfter
	cm.FailoverTimeout = m.Config.FailoverTimeout
	cm.ParallelSyncs = m.Config.ParallelSyncs
	cm.NotificationScript = m.Config.NotificationScript
	cm.ClientReconfigScript = m.Config.ClientReconfigScript
	cm.AuthUser = m.Config.AuthUser
	cm.AuthPass = conf.Secret(m.Config.AuthPass)
	cm.MasterRebootDownAfterPeriod = m.Config.RebootDownAfter
	cm.RenamedCommands = nil
	froms := make([]string, 0, len(m.Config.RenameCommands))
	for from := range m.Config.RenameCommands {
		froms = append(froms, from)
	}
	sort.Strings(froms)
	for _, from := range froms {
		cm.RenamedCommands = append(cm.RenamedCommands, conf.RenamedCommand{From: from, To: m.Config.RenameCommands[from]})
	}
	cm.ConfigEpoch = m.ConfigEpoch
	cm.LeaderEpoch = m.LeaderEpoch
	cm.KnownReplicas = nil
	for _, r := range m.sortedReplicas() {
		if r.Addr != addr {
			cm.KnownReplicas = append(cm.KnownReplicas, conf.Addr{Host: r.Addr.Host, Port: r.Addr.Port})
		}
	}
	if addr != m.Addr { // mid-failover: the entry's address is a replica-to-be
		cm.KnownReplicas = append(cm.KnownReplicas, conf.Addr{Host: m.Addr.Host, Port: m.Addr.Port})
	}
	cm.KnownSentinels = nil
	for _, si := range m.sortedSentinels() {
		cm.KnownSentinels = append(cm.KnownSentinels, conf.KnownSentinel{
			Addr: conf.Addr{Host: si.Addr.Host, Port: si.Addr.Port}, RunID: si.RunID})
	}
	return cm
}

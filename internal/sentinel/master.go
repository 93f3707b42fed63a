package sentinel

import (
	"sort"
	"time"
)

// MasterConfig is what the configuration says about one monitored master.
type MasterConfig struct {
	Name                 string
	Addr                 Addr
	Quorum               int
	DownAfter            time.Duration
	FailoverTimeout      time.Duration
	ParallelSyncs        int
	AuthUser             string
	AuthPass             string
	NotificationScript   string
	ClientReconfigScript string
	RebootDownAfter      time.Duration
	// RenameCommands maps a command name (lower case) to the name the instances know it by.
	RenameCommands map[string]string
}

// failoverState is sentinel.c's SENTINEL_FAILOVER_STATE_*, plus the pause/catch-up steps of a
// planned switchover.
type failoverState uint8

const (
	failoverNone failoverState = iota
	failoverWaitStart
	failoverSelectSlave
	failoverPauseMaster // switchover: CLIENT PAUSE WRITE sent to the old master
	failoverWaitCatchUp // switchover: waiting for the replica's offset to reach the master's
	failoverSendSlaveofNoOne
	failoverWaitPromotion
	failoverReconfSlaves
	failoverUpdateConfig
)

var failoverStateNames = map[failoverState]string{
	failoverNone:             "none",
	failoverWaitStart:        "wait_start",
	failoverSelectSlave:      "select_slave",
	failoverPauseMaster:      "pause_master",
	failoverWaitCatchUp:      "wait_catch_up",
	failoverSendSlaveofNoOne: "send_slaveof_noone",
	failoverWaitPromotion:    "wait_promotion",
	failoverReconfSlaves:     "reconf_slaves",
	failoverUpdateConfig:     "update_config",
}

// Master is one monitored master: its config, its own instance entry, its replicas and the
// other sentinels that monitor it, the vote cast for it and the failover in progress.
type Master struct {
	Config MasterConfig
	*Instance
	ConfigEpoch uint64
	Replicas    map[string]*Instance // by "ip:port"
	Sentinels   map[string]*Instance // by runid

	Leader      string // the sentinel this one voted for, in LeaderEpoch
	LeaderEpoch uint64

	failoverState      failoverState
	failoverEpoch      uint64
	failoverStartTime  time.Time
	failoverStateSince time.Time
	promoted           *Instance
	// oldAddr is the master address before an early switch to the promoted replica; the
	// failover's remaining steps still describe it.
	oldAddr Addr
	// pauseUntil is when the switchover's CLIENT PAUSE on the old master expires by itself.
	pauseUntil time.Time
	// pausedMaster is the old master a switchover paused (zero when nothing is paused).
	pausedMaster Addr
	// catchUpTarget is the old master's replication offset once paused.
	catchUpTarget int64
}

func newMaster(cfg MasterConfig, now time.Time) *Master {
	m := &Master{
		Config:    cfg,
		Instance:  newInstance(RoleMaster, cfg.Name, cfg.Addr, now),
		Replicas:  map[string]*Instance{},
		Sentinels: map[string]*Instance{},
	}
	return m
}

func (m *Master) inFailover() bool { return m.has(flagFailoverInProgress) }

// sortedReplicas returns the replicas in a stable order (by address) so effects and replies are
// deterministic.
func (m *Master) sortedReplicas() []*Instance {
	out := make([]*Instance, 0, len(m.Replicas))
	for _, r := range m.Replicas {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// reconfOrder is the order replicas are pointed at a promoted replica: by name, the former
// master (oldAddr) last.
func (m *Master) reconfOrder() []*Instance {
	out := m.sortedReplicas()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Addr != m.oldAddr && out[j].Addr == m.oldAddr })
	return out
}

func (m *Master) sortedSentinels() []*Instance {
	out := make([]*Instance, 0, len(m.Sentinels))
	for _, s := range m.Sentinels {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// currentAddr is the address clients should use: the promoted replica once the failover has
// reached the reconfiguration of replicas (sentinelGetCurrentMasterAddress).
func (m *Master) currentAddr() Addr {
	if m.promoted != nil && m.failoverState >= failoverReconfSlaves {
		return m.promoted.Addr
	}
	return m.Addr
}

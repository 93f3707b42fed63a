package main

import (
	"fmt"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"

	"github.com/failover-dev/redis-failover-operator/test/bench/benchenv"
)

const masterName = "mymaster"

// impl is one sentinel implementation under measurement.
type impl struct {
	name   string
	binary string // "" is Debian's redis-sentinel
}

// group is one implementation's deployment: a master, two replicas and three sentinels, as in
// test/bench/sentinel. Every group has its own redis-servers, so the groups' hello traffic does
// not mix and each sentinel sees exactly two peers.
type group struct {
	impl      impl
	master    *redistest.Server
	replicas  []*redistest.Server
	sentinels []*redistest.Sentinel
}

func startGroup(s *benchenv.Scope, im impl, downAfter time.Duration) *group {
	g := &group{impl: im}
	g.master = redistest.StartServer(s, redistest.ServerOptions{})
	for range 2 {
		g.replicas = append(g.replicas, redistest.StartServer(s, redistest.ServerOptions{ReplicaOf: g.master.Process}))
	}
	redistest.WaitReplicaOnline(s, 30*time.Second, g.master.Process, g.replicas[0].Process, g.replicas[1].Process)
	mon := []redistest.Monitor{{Name: masterName, Master: g.master.Process, Quorum: 2, DownAfter: downAfter}}
	for range 3 {
		g.sentinels = append(g.sentinels, redistest.StartSentinel(s, redistest.SentinelOptions{Binary: im.binary, Monitors: mon}))
	}
	return g
}

func (g *group) waitReady(s *benchenv.Scope) {
	redistest.WaitSentinelReady(s, 60*time.Second, masterName, g.master.Process, 2, 2, g.sentinels...)
}

func (g *group) sentinelAddrs() []string {
	addrs := make([]string, len(g.sentinels))
	for i, sn := range g.sentinels {
		addrs[i] = sn.Addr()
	}
	return addrs
}

func (g *group) dataAddrs() []string {
	return []string{g.master.Addr(), g.replicas[0].Addr(), g.replicas[1].Addr()}
}

// cpu is the summed utime+stime of the group's sentinels.
func (g *group) cpu() (time.Duration, error) {
	var total time.Duration
	for _, sn := range g.sentinels {
		t, err := benchenv.CPUTime(sn.Pid())
		if err != nil {
			return 0, fmt.Errorf("%s %s: %w", g.impl.name, sn.Name(), err)
		}
		total += t
	}
	return total, nil
}

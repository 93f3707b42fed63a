package topology

import (
	"fmt"
	"strings"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// Health is the verdict on one observation, the material for status conditions and metrics.
type Health struct {
	// Master is the one writable master's pod; "" when there is none or more than one.
	Master string
	// Masters are all pods whose servers report role master.
	Masters []string
	Nodes   []NodeHealth
	// NotInSync says, per replica that is not in sync, why.
	NotInSync []string

	SentinelsExpected  int
	SentinelsReachable int
	// Agreeing sentinels name Master as the master.
	Agreeing int
	// SentinelProblems says, per sentinel that disagrees or sees too little, why.
	SentinelProblems []string
}

// NodeHealth is one Redis node as status reports it.
type NodeHealth struct {
	Pod    string
	IP     string
	Role   role.Role
	LinkUp bool
	Offset int64
	// LagBytes is how far a replica's offset is behind the master's.
	LagBytes int64
	InSync   bool
}

// HasOneMaster reports whether exactly one node is a writable master.
func (h Health) HasOneMaster() bool { return h.Master != "" }

// ReplicasInSync reports whether every replica follows the master with its link up.
func (h Health) ReplicasInSync() bool { return h.HasOneMaster() && len(h.NotInSync) == 0 }

// SentinelsAgree reports whether every expected sentinel names the master and sees the others.
func (h Health) SentinelsAgree() bool {
	return h.HasOneMaster() && h.Agreeing == h.SentinelsExpected && len(h.SentinelProblems) == 0
}

// Ready is the Ready condition: one master, every replica linked and in sync, every sentinel
// agreeing on the master and seeing the expected replicas and sentinels.
func (h Health) Ready() bool { return h.HasOneMaster() && h.ReplicasInSync() && h.SentinelsAgree() }

// Assess judges an observation against the spec. Pure.
func Assess(t Topology, s Spec) Health {
	h := Health{SentinelsExpected: s.Sentinels}
	var master Node
	for _, n := range t.Nodes {
		if n.IsMaster() {
			h.Masters = append(h.Masters, n.Pod)
			master = n
		}
	}
	if len(h.Masters) == 1 {
		h.Master = master.Pod
	}
	masterOffset := master.Replication.MasterReplOffset

	for _, n := range t.Nodes {
		nh := NodeHealth{Pod: n.Pod, IP: n.IP, Role: role.Unknown}
		r := n.Replication
		switch {
		case !n.Reachable():
			h.noteNotInSync(n, h.Master, fmt.Sprintf("%s does not answer: %s", n.Pod, n.Err))
		case r.Role == role.Master:
			nh.Role, nh.Offset, nh.LinkUp, nh.InSync = role.Master, r.MasterReplOffset, true, true
		default:
			nh.Role, nh.Offset, nh.LinkUp = role.Replica, r.ReplicaOffset, r.MasterLinkUp
			if h.Master != "" && masterOffset > r.ReplicaOffset {
				nh.LagBytes = masterOffset - r.ReplicaOffset
			}
			switch {
			case h.Master == "":
			case !n.Follows(master):
				h.noteNotInSync(n, h.Master, fmt.Sprintf("%s follows %s, not the master %s", n.Pod, hostPort(r.MasterHost, r.MasterPort), master.Pod))
			case !r.MasterLinkUp:
				h.noteNotInSync(n, h.Master, fmt.Sprintf("%s has its link to the master down", n.Pod))
			case r.MasterSyncInProgress:
				h.noteNotInSync(n, h.Master, fmt.Sprintf("%s is still loading the master's snapshot", n.Pod))
			default:
				nh.InSync = true
			}
		}
		if n.Terminating && n.Pod != h.Master {
			// A node whose pod is being deleted still answers and may still be in sync, but it is
			// going away: Ready now would flip back once it stops, let `kubectl wait` return
			// before the replacement has synced, and let a rollout take its next pod too soon.
			h.NotInSync = append(h.NotInSync, fmt.Sprintf("pod %s is terminating: its replacement has yet to start and sync", n.Pod))
		}
		if n.Unready && n.Reachable() {
			// Redis may already say linked and in sync, but the Services route by the kubelet's
			// view: Ready must not be reported before a client can reach the node through them.
			h.NotInSync = append(h.NotInSync, fmt.Sprintf("pod %s is not Ready yet (readiness probe): the Services do not route to it", n.Pod))
		}
		h.Nodes = append(h.Nodes, nh)
	}
	if missing := s.Nodes - len(t.Nodes); missing > 0 {
		h.NotInSync = append(h.NotInSync, fmt.Sprintf("%d of %d Redis pods do not exist yet", missing, s.Nodes))
	}

	h.assessSentinels(t, s, master)
	return h
}

func (h *Health) noteNotInSync(n Node, master, why string) {
	if n.Pod != master {
		h.NotInSync = append(h.NotInSync, why)
	}
}

func (h *Health) assessSentinels(t Topology, s Spec, master Node) {
	for _, sn := range t.Sentinels {
		switch {
		case !sn.Reachable():
			h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s does not answer: %s", sn.Pod, sn.Err))
			continue
		case !sn.Monitors:
			h.SentinelsReachable++
			h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s does not monitor %s", sn.Pod, s.MasterName))
			continue
		}
		h.SentinelsReachable++
		m := sn.View.Master
		if h.Master == "" || !master.Is(m.IP, m.Port) {
			h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s names %s as master", sn.Pod, hostPort(m.IP, m.Port)))
			continue
		}
		h.Agreeing++
		// A live entry that is no pod of this RedisFailover means the sentinels learned about
		// another cluster's nodes (a reused pod IP, a shared master name): the merge that
		// overwrote data in peers' clusters. It is reported, never silently counted.
		for _, r := range sn.View.Replicas {
			if _, ours := t.NodeAt(r.IP, r.Port); !ours && !r.Down {
				h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s knows replica %s, which is no Redis pod of this RedisFailover", sn.Pod, hostPort(r.IP, r.Port)))
			}
		}
		for _, peer := range sn.View.Sentinels {
			if !t.isSentinel(peer.IP) && !peer.Down {
				h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s knows sentinel %s, which is no sentinel pod of this RedisFailover", sn.Pod, hostPort(peer.IP, peer.Port)))
			}
		}
		if seen := liveReplicas(t, sn); seen != s.Nodes-1 {
			h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s sees %d live replicas, expected %d", sn.Pod, seen, s.Nodes-1))
		}
		if seen := livePeers(sn.View.Sentinels); seen != s.Sentinels-1 {
			h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("sentinel %s sees %d other sentinels, expected %d", sn.Pod, seen, s.Sentinels-1))
		}
	}
	if missing := s.Sentinels - len(t.Sentinels); missing > 0 {
		h.SentinelProblems = append(h.SentinelProblems, fmt.Sprintf("%d of %d sentinel pods do not exist yet", missing, s.Sentinels))
	}
}

// QuorumReachable reports whether enough sentinels answer to start a failover.
func (h Health) QuorumReachable(quorum int) bool { return h.SentinelsReachable >= quorum }

// Summary joins problems for a condition message.
func Summary(problems []string) string { return strings.Join(problems, "; ") }

// liveReplicas counts the replicas a sentinel lists that are pods of this RedisFailover and not
// flagged down: stale entries (old pod IPs) do not count.
func liveReplicas(t Topology, sn Sentinel) int {
	seen := 0
	for _, r := range sn.View.Replicas {
		if _, ok := t.NodeAt(r.IP, r.Port); ok && !r.Down {
			seen++
		}
	}
	return seen
}

func livePeers(peers []SentinelPeer) int {
	seen := 0
	for _, p := range peers {
		if !p.Down {
			seen++
		}
	}
	return seen
}

func (t Topology) isSentinel(ip string) bool {
	for _, s := range t.Sentinels {
		if s.IP == ip {
			return true
		}
	}
	return false
}

// Package topology is the pure heart of the controller. From one observation of a RedisFailover
// (a Topology: its Redis nodes and sentinels and what they said) and the spec, Assess gives the
// health verdict that status and metrics report, and Plan decides what to do: the master it
// recognises, every action with its reason, and why it holds back when it does. Every rule is a
// table-test row.
//
// Pure means no I/O and no clocks: the package imports neither a Redis client nor any
// Kubernetes package (make lint checks it). The controller observes (asks the pods and their
// servers) and converts what it learned into the plain types below.
package topology

import (
	"net"
	"strconv"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// Topology is one observation of a RedisFailover: its Redis nodes and its sentinels.
type Topology struct {
	Nodes     []Node
	Sentinels []Sentinel
}

// Node is one Redis pod and what its server reported.
type Node struct {
	Pod string
	// Ordinal is the StatefulSet ordinal, the last tie-breaker between equally good candidates.
	Ordinal int
	IP      string
	Port    int
	// Hostnames are the DNS names the pod is reachable under (besides IP), for matching addresses
	// that replicas or sentinels report.
	Hostnames []string
	// RoleLabel is the pod's current redis.failover.dev/role label as found: "" if none, and
	// possibly a value no role has if someone else set it.
	RoleLabel   role.Role
	Terminating bool
	// Outdated is true when the pod runs an older revision than the StatefulSet's update
	// revision (the StatefulSet uses OnDelete: the operator decides when each pod restarts).
	Outdated bool
	// Unready is true while the kubelet reports the pod not Ready (its readiness probe has not
	// passed since the node was wired): the master and replica Services do not route to it yet.
	Unready bool
	// Err is why the server could not be asked (no IP yet, timeout, refused, ...); "" if it answered.
	Err         string
	Replication Replication
}

// Replication is what a node's INFO replication section says, as far as decisions need it.
type Replication struct {
	Role role.Role
	// MasterHost and MasterPort are the master a replica follows (as configured, by IP or name).
	MasterHost string
	MasterPort int
	// MasterLinkUp is a replica's master_link_status:up.
	MasterLinkUp         bool
	MasterSyncInProgress bool
	// ReplicaOffset is how much of the master's stream a replica applied.
	ReplicaOffset int64
	// MasterReplOffset is the node's position in its replication history.
	MasterReplOffset int64
	// ReplicaPriority is a replica's replica-priority: the sentinels promote the lowest non-zero
	// one first, and never a replica at 0.
	ReplicaPriority int
}

// Offset is the node's replication offset, the evidence used to rank promotion candidates:
// a replica's applied offset, or a master's own offset.
func (r Replication) Offset() int64 {
	if r.Role == role.Replica {
		return r.ReplicaOffset
	}
	return r.MasterReplOffset
}

// Reachable reports whether the server answered INFO.
func (n Node) Reachable() bool { return n.Err == "" && n.IP != "" }

// IsMaster reports whether the server answered and says it is a master.
func (n Node) IsMaster() bool {
	return n.Reachable() && n.Replication.Role == role.Master
}

// Addr is ip:port.
func (n Node) Addr() string { return hostPort(n.IP, n.Port) }

// Is reports whether host:port names this node.
func (n Node) Is(host string, port int) bool {
	if port != n.Port || host == "" {
		return false
	}
	if host == n.IP {
		return true
	}
	for _, h := range n.Hostnames {
		if h == host {
			return true
		}
	}
	return false
}

// Follows reports whether the node is a replica configured to follow master (link up or not).
func (n Node) Follows(master Node) bool {
	r := n.Replication
	return n.Reachable() && r.Role == role.Replica && master.Is(r.MasterHost, r.MasterPort)
}

// Sentinel is one sentinel pod and its view of the master name.
type Sentinel struct {
	Pod  string
	IP   string
	Port int
	// Err is why the sentinel could not be asked; "" if it answered.
	Err string
	// Monitors is false when the sentinel answered but does not monitor the master name.
	Monitors bool
	View     SentinelView
}

// SentinelView is what one sentinel says about the master name.
type SentinelView struct {
	Master SentinelMaster
	// Replicas and Sentinels are the replicas and other sentinels it knows, stale ones included.
	Replicas  []SentinelPeer
	Sentinels []SentinelPeer
}

// SentinelMaster is a sentinel's view of the monitored master.
type SentinelMaster struct {
	IP   string
	Port int
	// FailingOver is true while the sentinel runs or follows a failover of the master.
	FailingOver bool
	// The settings the operator keeps in step, to detect drift.
	Quorum                int
	DownAfterMilliseconds int
	FailoverTimeout       int
	ParallelSyncs         int
}

// SentinelPeer is one replica or other sentinel that a sentinel knows.
type SentinelPeer struct {
	IP   string
	Port int
	// Down is true when the sentinel flags the entry down or disconnected: clients drop it, and
	// so does every count here.
	Down bool
}

// SentinelOption is one SENTINEL SET name value pair.
type SentinelOption struct{ Name, Value string }

// Reachable reports whether the sentinel answered.
func (s Sentinel) Reachable() bool { return s.Err == "" && s.IP != "" }

// Addr is ip:port.
func (s Sentinel) Addr() string { return hostPort(s.IP, s.Port) }

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// NodeAt returns the node that host:port names.
func (t Topology) NodeAt(host string, port int) (Node, bool) {
	for _, n := range t.Nodes {
		if n.Is(host, port) {
			return n, true
		}
	}
	return Node{}, false
}

// Node returns the node of pod.
func (t Topology) Node(pod string) (Node, bool) {
	for _, n := range t.Nodes {
		if n.Pod == pod {
			return n, true
		}
	}
	return Node{}, false
}

// SentinelVerdict is what the reachable sentinels collectively say about the master.
type SentinelVerdict struct {
	// Reachable sentinels (answered at all) and Monitoring ones (monitor the master name).
	Reachable, Monitoring int
	// Votes counts sentinels per named master address (ip:port as the sentinels report it).
	Votes map[string]int
	// Leading is the address named by the most sentinels and LeadingVotes their number.
	Leading      string
	LeadingHost  string
	LeadingPort  int
	LeadingVotes int
	// FailingOver is true when any sentinel reports a failover of the master in progress.
	FailingOver bool
}

// Agreed reports whether at least quorum sentinels name the same master.
func (v SentinelVerdict) Agreed(quorum int) bool { return v.Leading != "" && v.LeadingVotes >= quorum }

// Verdict tallies the sentinels' views. Ties for the lead go to the lexically smaller address so
// that the result does not depend on the order pods were listed in.
func (t Topology) Verdict() SentinelVerdict {
	v := SentinelVerdict{Votes: map[string]int{}}
	for _, s := range t.Sentinels {
		if !s.Reachable() {
			continue
		}
		v.Reachable++
		if !s.Monitors {
			continue
		}
		v.Monitoring++
		m := s.View.Master
		addr := hostPort(m.IP, m.Port)
		v.Votes[addr]++
		if m.FailingOver {
			v.FailingOver = true
		}
		if n := v.Votes[addr]; n > v.LeadingVotes || (n == v.LeadingVotes && addr < v.Leading) {
			v.Leading, v.LeadingHost, v.LeadingPort, v.LeadingVotes = addr, m.IP, m.Port, n
		}
	}
	return v
}

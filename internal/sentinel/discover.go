package sentinel

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Discovery: a sentinel that monitors nothing (a new pod, or one whose config was lost) finds
// its group's master by itself, so that failover never waits for the operator. It asks the
// other sentinels first: their view carries the config epoch that orders failovers. When none
// of them monitors the master, it reads the Redis nodes' own roles and offsets. It never adopts
// a fenced node (a replica of itself, serving nothing) or an empty master while a node with data
// exists: handing the group to an empty node is how a reborn master wipes its replicas.

// PeerView is what one other sentinel of the group answered about the master name.
type PeerView struct {
	Addr string
	// Monitors: the peer monitors the master name, at Master (ip:port) with ConfigEpoch.
	Monitors    bool
	Master      Addr
	ConfigEpoch uint64
	// Err is why the peer could not be asked (not monitoring is not an error).
	Err error
}

// NodeView is what one Redis node of the group answered to INFO.
type NodeView struct {
	Addr Addr
	Err  error
	Info string // the INFO reply
}

// DiscoveryChoice is what Discover decided.
type DiscoveryChoice struct {
	// Master is the address to monitor; zero when there is none to adopt yet.
	Master Addr
	// Replicas are nodes to register as known replicas of Master: the followers of a master
	// that does not answer, which the sentinels then fail over to as usual (a master that
	// answers lists its replicas itself).
	Replicas []Addr
	// Reason says why, for the log.
	Reason string
}

// Discover picks the master for a sentinel that monitors nothing. It is pure: the caller asks
// the peers and nodes (discoverLoop) and acts on the choice.
func Discover(peers []PeerView, nodes []NodeView) DiscoveryChoice {
	if c, ok := discoverFromPeers(peers); ok {
		// The peers' master may not answer (it is why they are about to fail over): its
		// followers, known now, let this sentinel hear the peers' hellos through them and
		// take part in the failover.
		for _, n := range answeringNodes(nodes) {
			if n.in.role == RoleReplica && !n.fenced() && n.follows() == c.Master {
				c.Replicas = append(c.Replicas, n.addr)
			}
		}
		return c
	}
	return discoverFromNodes(nodes)
}

// answeringNodes parses the INFO of the nodes that answered, in address order.
func answeringNodes(views []NodeView) []nodeState {
	var nodes []nodeState
	for _, v := range views {
		if v.Err == nil {
			nodes = append(nodes, nodeState{addr: v.Addr, in: parseInfo(v.Info)})
		}
	}
	slices.SortFunc(nodes, func(a, b nodeState) int { return strings.Compare(a.addr.String(), b.addr.String()) })
	return nodes
}

// discoverFromPeers adopts the peers' master with the highest config epoch; at equal epochs the
// one most peers name, then the lowest address, so that every sentinel asking the same peers
// picks the same.
func discoverFromPeers(peers []PeerView) (DiscoveryChoice, bool) {
	type vote struct {
		addr  Addr
		epoch uint64
		peers []string
	}
	var votes []*vote
	for _, p := range peers {
		if p.Err != nil || !p.Monitors {
			continue
		}
		i := slices.IndexFunc(votes, func(v *vote) bool { return v.addr == p.Master && v.epoch == p.ConfigEpoch })
		if i < 0 {
			votes = append(votes, &vote{addr: p.Master, epoch: p.ConfigEpoch})
			i = len(votes) - 1
		}
		votes[i].peers = append(votes[i].peers, p.Addr)
	}
	if len(votes) == 0 {
		return DiscoveryChoice{}, false
	}
	best := slices.MinFunc(votes, func(a, b *vote) int {
		return cmp.Or(cmp.Compare(b.epoch, a.epoch), cmp.Compare(len(b.peers), len(a.peers)), strings.Compare(a.addr.String(), b.addr.String()))
	})
	return DiscoveryChoice{Master: best.addr, Reason: fmt.Sprintf("sentinel(s) %s monitor it (config epoch %d)", strings.Join(best.peers, ", "), best.epoch)}, true
}

// nodeState is one answering node's replication, as discovery judges it.
type nodeState struct {
	addr Addr
	in   instanceInfo
}

func (n nodeState) offset() int64 {
	if n.in.role == RoleMaster {
		return n.in.masterReplOffset
	}
	return n.in.replOffset
}

// hasData: the node holds something a client wrote (keys), or has replicated anything at all.
// A node restarted without persistence has neither.
func (n nodeState) hasData() bool { return n.offset() > 0 || n.in.keys > 0 }

// fenced: a replica of itself (start.sh's fence: 127.0.0.1 or its own address, on its own
// port), which serves nothing until someone points it at the master.
func (n nodeState) fenced() bool {
	return n.in.role == RoleReplica && n.in.masterPort == n.addr.Port &&
		(n.in.masterHost == n.addr.Host || n.in.masterHost == "127.0.0.1" || n.in.masterHost == "localhost")
}

func (n nodeState) follows() Addr { return Addr{Host: n.in.masterHost, Port: n.in.masterPort} }

// discoverFromNodes reads the group from its nodes: a live master that is not empty while
// another node has data; else the master the unfenced replicas follow, when it does not answer
// (the sentinels then see it down and fail over to the best of them); else nothing.
func discoverFromNodes(views []NodeView) DiscoveryChoice {
	nodes := answeringNodes(views)
	if len(nodes) == 0 {
		var unreachable []string
		for _, v := range views {
			unreachable = append(unreachable, v.Addr.String())
		}
		return DiscoveryChoice{Reason: fmt.Sprintf("no Redis node answers (%d tried: %s)", len(views), strings.Join(unreachable, ", "))}
	}
	anyData := slices.ContainsFunc(nodes, nodeState.hasData)
	followers := func(master Addr) []nodeState {
		var out []nodeState
		for _, n := range nodes {
			if n.in.role == RoleReplica && !n.fenced() && n.follows() == master {
				out = append(out, n)
			}
		}
		return out
	}

	var masters []nodeState
	var empty []string
	for _, n := range nodes {
		if n.in.role != RoleMaster {
			continue
		}
		if anyData && !n.hasData() {
			empty = append(empty, n.addr.String())
			continue
		}
		masters = append(masters, n)
	}
	if len(masters) > 0 {
		// Two masters is a split the sentinels end: the one most replicas follow has the
		// group; then the most data.
		best := slices.MinFunc(masters, func(a, b nodeState) int {
			return cmp.Or(cmp.Compare(len(followers(b.addr)), len(followers(a.addr))), cmp.Compare(b.offset(), a.offset()),
				strings.Compare(a.addr.String(), b.addr.String()))
		})
		return DiscoveryChoice{Master: best.addr, Reason: fmt.Sprintf("%s reports role master with %d replica(s) following it, offset %d",
			best.addr, len(followers(best.addr)), best.offset())}
	}

	// No master to adopt: the replicas may still follow one that is gone (its pod deleted, its
	// process stopped) or came back fenced. Monitoring it with them as known replicas lets the
	// sentinels' own failover, with its quorum and election, promote the best of them. An empty
	// master they follow is not monitored: the sentinels would find it healthy and keep it.
	var gone []Addr
	for _, n := range nodes {
		lost := n.follows()
		if n.in.role == RoleReplica && !n.fenced() && !slices.Contains(empty, lost.String()) && !slices.Contains(gone, lost) {
			gone = append(gone, lost)
		}
	}
	if len(gone) > 0 {
		best := slices.MinFunc(gone, func(a, b Addr) int {
			return cmp.Or(cmp.Compare(len(followers(b)), len(followers(a))), strings.Compare(a.String(), b.String()))
		})
		c := DiscoveryChoice{Master: best}
		for _, f := range followers(best) {
			c.Replicas = append(c.Replicas, f.addr)
		}
		c.Reason = fmt.Sprintf("no node reports role master; %d replica(s) follow %s, which is gone or fenced: the sentinels fail over from it", len(c.Replicas), best)
		return c
	}
	why := "no node reports role master"
	if len(empty) > 0 {
		why = fmt.Sprintf("only empty node(s) report role master (%s) while another node has data", strings.Join(empty, ", "))
	}
	var fenced []string
	for _, n := range nodes {
		if n.fenced() {
			fenced = append(fenced, n.addr.String())
		}
	}
	if len(fenced) > 0 {
		why += fmt.Sprintf(", and %s fenced (a replica of itself); which one to promote is the operator's choice", strings.Join(fenced, ", "))
	}
	return DiscoveryChoice{Reason: why}
}

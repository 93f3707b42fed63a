package sentinel

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// Addr is an instance address as sentinel.c keeps it: a host (an IP unless hostnames are
// announced) and a port.
type Addr struct {
	Host string
	Port int
}

func (a Addr) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// IsZero reports whether a is unset.
func (a Addr) IsZero() bool { return a.Host == "" && a.Port == 0 }

// Role is an instance's role in a master's view.
type Role uint8

const (
	RoleMaster Role = iota + 1
	RoleReplica
	RoleSentinel
)

// flag is one bit of sentinel.c's SRI_* flags that SENTINEL MASTER/REPLICAS print.
type flag uint32

const (
	flagSDown flag = 1 << iota
	flagODown
	flagMasterDown
	flagFailoverInProgress
	flagPromoted
	flagReconfSent
	flagReconfInprog
	flagReconfDone
	flagForceFailover
	flagScriptKillSent
)

// link is the state of the connections to one address, shared by every instance entry with that
// address (sentinel.c shares links between masters for sentinels; sharing them for all keeps the
// liveness evidence of a promoted replica when the master entry switches to it).
type link struct {
	connected   bool
	connectedAt time.Time // cc_conn_time
	pending     int       // commands sent and not yet answered
	// actPingTime is when the oldest unanswered PING was sent (zero: none pending).
	actPingTime  time.Time
	lastPingTime time.Time
	lastPongTime time.Time // any reply to PING
	lastAvail    time.Time // last valid reply to PING (+PONG, -LOADING, -MASTERDOWN)
	infoSentAt   time.Time // an INFO is in flight since then (zero: none)
	pubsubAlive  time.Time // last activity on the pubsub link (Redis instances only)
	// pubsubConnected: the pubsub connection (Redis instances only) is open and subscribed.
	pubsubConnected bool
}

// disconnected is sentinel.c's link->disconnected for an instance of role r: a Redis
// instance needs both its cmd and its pubsub connection, a sentinel only the cmd one.
func (l *link) disconnected(r Role) bool {
	return l == nil || !l.connected || (r != RoleSentinel && !l.pubsubConnected)
}

func newLink(now time.Time) *link {
	return &link{actPingTime: now, lastPongTime: now, lastAvail: now, pubsubAlive: now}
}

// Instance is one master, replica or other sentinel as seen from one monitored master's entry.
type Instance struct {
	Role  Role
	Name  string // master name, "ip:port" for replicas, runid for sentinels
	Addr  Addr
	RunID string
	flags flag

	sdownSince time.Time
	odownSince time.Time
	// rebootSince is when a master was seen with a new run_id (master-reboot-down-after-period).
	rebootSince time.Time
	// restartedFenced: this master came back from a restart (new run_id) as a replica whose
	// master link is down, or reports being a replica of itself (start.sh's fence), and has
	// reported nothing else since. It accepts no write and holds
	// none acknowledged since its restart: it is down for clients, whatever its PINGs say.
	restartedFenced bool

	// From INFO (masters and replicas).
	infoRefresh        time.Time
	info               string
	roleReported       Role
	roleReportedTime   time.Time
	replConfChangeTime time.Time // slave_conf_change_time
	masterLinkDownTime time.Duration
	masterLinkDownAt   time.Time // master_link_down_since_time
	masterLinkUp       bool
	masterHost         string
	masterPort         int
	priority           int
	replOffset         int64 // slave_repl_offset (replicas) or master_repl_offset (masters)
	replicaAnnounced   bool

	reconfSentTime time.Time
	lastPubTime    time.Time // last hello sent to this instance

	// Sentinels only.
	lastHelloTime        time.Time
	lastMasterDownReply  time.Time
	leader               string
	leaderEpoch          uint64
	lastAskTime          time.Time
	scriptKillSentToThis bool
}

func newInstance(role Role, name string, addr Addr, now time.Time) *Instance {
	return &Instance{
		Role: role, Name: name, Addr: addr,
		roleReported: role, roleReportedTime: now, replConfChangeTime: now,
		priority: 100, replicaAnnounced: true,
		lastHelloTime: now, // as createSentinelRedisInstance: last-hello-message counts from creation
	}
}

func (i *Instance) has(f flag) bool { return i.flags&f != 0 }

// flagsString is the `flags` field: sentinel.c's fixed order.
func (i *Instance) flagsString(l *link) string {
	var out []string
	add := func(cond bool, s string) {
		if cond {
			out = append(out, s)
		}
	}
	add(i.has(flagSDown), "s_down")
	add(i.has(flagODown), "o_down")
	add(i.Role == RoleMaster, "master")
	add(i.Role == RoleReplica, "slave")
	add(i.Role == RoleSentinel, "sentinel")
	add(l.disconnected(i.Role), "disconnected")
	add(i.has(flagMasterDown), "master_down")
	add(i.has(flagFailoverInProgress), "failover_in_progress")
	add(i.has(flagPromoted), "promoted")
	add(i.has(flagReconfSent), "reconf_sent")
	add(i.has(flagReconfInprog), "reconf_inprog")
	add(i.has(flagReconfDone), "reconf_done")
	add(i.has(flagForceFailover), "force_failover")
	add(i.has(flagScriptKillSent), "script_kill_sent")
	return strings.Join(out, ",")
}

func (r Role) String() string {
	switch r {
	case RoleMaster:
		return "master"
	case RoleReplica:
		return "slave"
	case RoleSentinel:
		return "sentinel"
	}
	return "unknown"
}

package redis

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// INFO's wire words for a node's role; ParseInfo maps them to the operator's role.Role.
const (
	wireRoleMaster  = "master"
	wireRoleReplica = "slave"
)

// Info is the part of a data node's INFO the operator decides on.
type Info struct {
	// RunID changes on every restart of the process.
	RunID string
	// Loading is true while the node loads its dataset from disk and cannot serve.
	Loading     bool
	Replication Replication
}

// Replication is INFO's "# Replication" section.
type Replication struct {
	// Role is role.Master or role.Replica (INFO says "slave").
	Role role.Role

	// Replica-only fields.
	MasterHost string
	MasterPort int
	// MasterLinkUp is master_link_status:up.
	MasterLinkUp bool
	// MasterLinkDownSinceSeconds is -1 when the link is up or was never established.
	MasterLinkDownSinceSeconds int64
	MasterSyncInProgress       bool
	// ReplicaOffset is slave_repl_offset: how much of the master's stream this replica applied.
	ReplicaOffset   int64
	ReplicaPriority int
	ReplicaReadOnly bool

	// Fields both roles report.
	ConnectedReplicas int
	// Replicas are the slaveN lines a master reports.
	Replicas []ConnectedReplica
	// MasterReplID is the replication history id; replicas of one master share it.
	MasterReplID string
	// MasterReplOffset is the node's position in that history (for a replica, what it received).
	MasterReplOffset int64
}

// ConnectedReplica is one "slaveN:ip=..,port=..,state=..,offset=..,lag=.." line of a master.
type ConnectedReplica struct {
	IP     string
	Port   int
	State  string
	Offset int64
	// LagSeconds is the time since the replica's last acknowledgement.
	LagSeconds int64
}

// Online reports whether the master sees the replica streaming (not still loading a snapshot).
func (r ConnectedReplica) Online() bool { return r.State == "online" }

// Offset is the node's replication offset, the evidence used to rank promotion candidates:
// a replica's applied offset, or a master's own offset.
func (r Replication) Offset() int64 {
	if r.Role == role.Replica {
		return r.ReplicaOffset
	}
	return r.MasterReplOffset
}

// ParseInfo parses the text of INFO (any set of sections). Unknown fields are ignored so that
// newer Redis versions parse; a missing or malformed field the operator relies on is an error.
func ParseInfo(text string) (Info, error) {
	fields := map[string]string{}
	scanner := bufio.NewScanner(strings.NewReader(text))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return Info{}, fmt.Errorf("parsing INFO: line %q has no ':'", line)
		}
		fields[key] = value
	}
	if err := scanner.Err(); err != nil {
		return Info{}, fmt.Errorf("reading INFO text: %w", err)
	}
	p := fieldParser{fields: fields}
	info := Info{
		RunID:   fields["run_id"],
		Loading: p.optionalInt("loading", 0) == 1,
	}
	repl, err := parseReplication(&p)
	if err != nil {
		return Info{}, err
	}
	info.Replication = repl
	if p.err != nil {
		return Info{}, fmt.Errorf("parsing INFO: %w", p.err)
	}
	return info, nil
}

func parseReplication(p *fieldParser) (Replication, error) {
	wire, ok := p.fields["role"]
	// Checked before the other fields so that a missing section gives the one error that explains it.
	if !ok {
		return Replication{}, fmt.Errorf("parsing INFO: no role field (was the replication section requested?)")
	}
	r := Replication{
		ConnectedReplicas: p.requiredInt("connected_slaves"),
		MasterReplID:      p.fields["master_replid"],
		MasterReplOffset:  p.requiredInt64("master_repl_offset"),
	}
	switch wire {
	case wireRoleMaster:
		r.Role = role.Master
	case wireRoleReplica:
		r.Role = role.Replica
		r.MasterHost = p.fields["master_host"]
		r.MasterPort = p.requiredInt("master_port")
		r.MasterLinkUp = p.fields["master_link_status"] == "up"
		r.MasterLinkDownSinceSeconds = p.optionalInt64("master_link_down_since_seconds", -1)
		r.MasterSyncInProgress = p.requiredInt("master_sync_in_progress") == 1
		r.ReplicaOffset = p.requiredInt64("slave_repl_offset")
		r.ReplicaPriority = p.requiredInt("slave_priority")
		r.ReplicaReadOnly = p.optionalInt("slave_read_only", 1) == 1
	default:
		return Replication{}, fmt.Errorf("parsing INFO: unknown role %q", wire)
	}
	for i := 0; i < r.ConnectedReplicas; i++ {
		key := "slave" + strconv.Itoa(i)
		line, ok := p.fields[key]
		if !ok {
			// The count and the lines are written from one snapshot; a gap means a torn read.
			return Replication{}, fmt.Errorf("parsing INFO: connected_slaves:%d but no %s line", r.ConnectedReplicas, key)
		}
		replica, err := parseConnectedReplica(line)
		if err != nil {
			return Replication{}, fmt.Errorf("parsing INFO %s: %w", key, err)
		}
		r.Replicas = append(r.Replicas, replica)
	}
	return r, nil
}

func parseConnectedReplica(line string) (ConnectedReplica, error) {
	var c ConnectedReplica
	var err error
	for _, kv := range strings.Split(line, ",") {
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			return c, fmt.Errorf("%q has no '='", kv)
		}
		switch key {
		case "ip":
			c.IP = value
		case "port":
			c.Port, err = strconv.Atoi(value)
		case "state":
			c.State = value
		case "offset":
			c.Offset, err = strconv.ParseInt(value, 10, 64)
		case "lag":
			c.LagSeconds, err = strconv.ParseInt(value, 10, 64)
		}
		if err != nil {
			return c, fmt.Errorf("field %s=%q: %w", key, value, err)
		}
	}
	if c.IP == "" || c.Port == 0 {
		return c, fmt.Errorf("%q lacks ip or port", line)
	}
	return c, nil
}

// fieldParser collects the first conversion error so that parsing reads as a list of fields.
type fieldParser struct {
	fields map[string]string
	err    error
}

func (p *fieldParser) requiredInt64(key string) int64 {
	value, ok := p.fields[key]
	if !ok {
		p.fail(fmt.Errorf("field %s missing", key))
		return 0
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		p.fail(fmt.Errorf("field %s=%q: %w", key, value, err))
	}
	return n
}

func (p *fieldParser) requiredInt(key string) int { return int(p.requiredInt64(key)) }

func (p *fieldParser) optionalInt64(key string, fallback int64) int64 {
	if _, ok := p.fields[key]; !ok {
		return fallback
	}
	return p.requiredInt64(key)
}

func (p *fieldParser) optionalInt(key string, fallback int) int {
	return int(p.optionalInt64(key, int64(fallback)))
}

func (p *fieldParser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

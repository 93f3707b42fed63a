package redistest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// InfoReplication returns INFO replication as a field map (role, master_host, master_link_status,
// master_repl_offset, slave_repl_offset, ...).
func InfoReplication(ctx context.Context, c *redis.Client) (map[string]string, error) {
	text, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return nil, fmt.Errorf("INFO replication on %s: %w", c.Options().Addr, err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && !strings.HasPrefix(k, "#") {
			fields[k] = v
		}
	}
	return fields, nil
}

// ReplicaOnline checks that replica reports role:slave of master with master_link_status:up.
func ReplicaOnline(ctx context.Context, replica *redis.Client, master *Process) error {
	info, err := InfoReplication(ctx, replica)
	if err != nil {
		return err
	}
	if info["role"] != "slave" {
		return fmt.Errorf("%s: role is %q", replica.Options().Addr, info["role"])
	}
	if info["master_host"] != master.Host() || info["master_port"] != strconv.Itoa(master.Port()) {
		return fmt.Errorf("%s: replicates %s:%s, not %s", replica.Options().Addr, info["master_host"], info["master_port"], master.Addr())
	}
	if info["master_link_status"] != "up" {
		return fmt.Errorf("%s: master_link_status is %q", replica.Options().Addr, info["master_link_status"])
	}
	return nil
}

// WaitReplicaOnline waits until every replica replicates master with its link up.
func WaitReplicaOnline(t T, timeout time.Duration, master *Process, replicas ...*Process) {
	t.Helper()
	for _, r := range replicas {
		c := r.Client()
		poll.Eventually(t, timeout, fmt.Sprintf("%s to replicate %s with link up", r.Addr(), master.Addr()),
			func(ctx context.Context) error { return ReplicaOnline(ctx, c, master) })
	}
}

// InSync checks that replica's link is up and its processed offset equals master's offset, so
// every write acknowledged by master before the call has reached the replica.
func InSync(ctx context.Context, master, replica *redis.Client, masterProc *Process) error {
	if err := ReplicaOnline(ctx, replica, masterProc); err != nil {
		return err
	}
	mi, err := InfoReplication(ctx, master)
	if err != nil {
		return err
	}
	ri, err := InfoReplication(ctx, replica)
	if err != nil {
		return err
	}
	if mi["master_repl_offset"] != ri["slave_repl_offset"] {
		return fmt.Errorf("%s at offset %s, master %s at %s", replica.Options().Addr, ri["slave_repl_offset"],
			master.Options().Addr, mi["master_repl_offset"])
	}
	return nil
}

// WaitInSync waits until every replica is online and at master's replication offset.
func WaitInSync(t T, timeout time.Duration, master *Process, replicas ...*Process) {
	t.Helper()
	mc := master.Client()
	for _, r := range replicas {
		rc := r.Client()
		poll.Eventually(t, timeout, fmt.Sprintf("%s to catch up with %s", r.Addr(), master.Addr()),
			func(ctx context.Context) error { return InSync(ctx, mc, rc, master) })
	}
}

package redis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/api/role"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// The INFO tests parse what a real redis-server 7.0.15 prints, in the three states the operator
// meets: a master with a replica, a linked replica, and a replica whose master is unreachable.
func TestInfoOfRealServers(t *testing.T) {
	ctx := context.Background()
	master := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "s3cret", MasterAuth: "s3cret"})
	replica := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "s3cret", MasterAuth: "s3cret",
		Directives: []string{fmt.Sprintf("replicaof %s %d", master.Host(), master.Port()), "replica-priority 42"}})
	// Port 1 on loopback refuses connections: a replica whose master is gone.
	orphan := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "s3cret", MasterAuth: "s3cret", Directives: []string{"replicaof 127.0.0.1 1"}})
	c := redis.Client{Password: "s3cret"}

	if err := master.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	var mInfo, rInfo redis.Info
	poll.Eventually(t, 10*time.Second, "the replica to link up and the master to list it", func(context.Context) error {
		var err error
		if mInfo, err = c.Info(ctx, master.Addr()); err != nil {
			return err
		}
		if rInfo, err = c.Info(ctx, replica.Addr()); err != nil {
			return err
		}
		if len(mInfo.Replication.Replicas) != 1 || !mInfo.Replication.Replicas[0].Online() {
			return fmt.Errorf("master does not list the replica online yet: %+v", mInfo.Replication.Replicas)
		}
		// The master learns the replica's offset from its once-a-second REPLCONF ACK.
		if acked := mInfo.Replication.Replicas[0].Offset; acked != mInfo.Replication.MasterReplOffset {
			return fmt.Errorf("master saw replica ack %d of %d", acked, mInfo.Replication.MasterReplOffset)
		}
		if rInfo.Replication.ReplicaOffset != mInfo.Replication.MasterReplOffset {
			return fmt.Errorf("replica offset %d behind master %d", rInfo.Replication.ReplicaOffset, mInfo.Replication.MasterReplOffset)
		}
		return nil
	})

	m := mInfo.Replication
	if m.Role != role.Master || m.ConnectedReplicas != 1 || m.MasterReplOffset <= 0 || len(mInfo.RunID) != 40 {
		t.Errorf("master INFO parsed wrong: run_id=%q %+v", mInfo.RunID, m)
	}
	if got := m.Replicas[0]; got.IP != replica.Host() || got.Port != replica.Port() || got.Offset != m.MasterReplOffset {
		t.Errorf("master's replica line = %+v, want %s:%d at offset %d", got, replica.Host(), replica.Port(), m.MasterReplOffset)
	}
	if m.Offset() != m.MasterReplOffset {
		t.Errorf("a master's Offset() = %d, want master_repl_offset %d", m.Offset(), m.MasterReplOffset)
	}

	r := rInfo.Replication
	if r.Role != role.Replica || r.MasterHost != master.Host() || r.MasterPort != master.Port() ||
		!r.MasterLinkUp || r.MasterSyncInProgress || r.ReplicaPriority != 42 || !r.ReplicaReadOnly {
		t.Errorf("replica INFO parsed wrong: %+v", r)
	}
	if r.MasterReplID != m.MasterReplID {
		t.Errorf("replica replid %q, master %q: a linked replica shares the master's history", r.MasterReplID, m.MasterReplID)
	}
	if rInfo.RunID == mInfo.RunID {
		t.Errorf("two processes reported the same run_id %q", rInfo.RunID)
	}

	oInfo, err := c.Info(ctx, orphan.Addr())
	if err != nil {
		t.Fatal(err)
	}
	o := oInfo.Replication
	if o.Role != role.Replica || o.MasterLinkUp || o.MasterHost != "127.0.0.1" || o.MasterPort != 1 {
		t.Errorf("orphan replica INFO parsed wrong: %+v", o)
	}
}

func TestInfoRefusesWrongPassword(t *testing.T) {
	s := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "right", MasterAuth: "right"})
	_, err := redis.Client{Password: "wrong"}.Info(context.Background(), s.Addr())
	if err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("INFO with a wrong password: got %v, want a WRONGPASS error", err)
	}
}

func TestParseInfoRejectsWhatItCannotTrust(t *testing.T) {
	for name, tc := range map[string]struct{ text, wantErr string }{
		"no replication section": {"# Server\r\nrun_id:abc\r\n", "no role field"},
		"unknown role":           {"role:sentinel\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n", `unknown role "sentinel"`},
		"torn replica list": {"role:master\r\nconnected_slaves:2\r\nslave0:ip=10.0.0.1,port=6379,state=online,offset=5,lag=0\r\nmaster_repl_offset:5\r\n",
			"connected_slaves:2 but no slave1 line"},
		"non-numeric offset": {"role:master\r\nconnected_slaves:0\r\nmaster_repl_offset:x\r\n", `master_repl_offset="x"`},
		"line without colon": {"role master\r\n", `has no ':'`},
		"replica without port": {"role:slave\r\nmaster_host:10.0.0.1\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n",
			"master_port missing"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := redis.ParseInfo(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseInfo error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

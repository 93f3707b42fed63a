package sentinel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// authOutcome is what monitoring sees of a master whose password the sentinel gets wrong.
type authOutcome struct {
	DisconnectedWhileWrong bool   // flags ever showed "disconnected" while auth-pass was wrong
	SlavesWhileWrong       string // num-slaves then: INFO is refused, so no replica is found
	SetReply               string // SENTINEL SET auth-pass <right>
	MasterFlagsAfterFix    string
	ReplicaFlagsAfterFix   string
}

// A sentinel given a wrong auth-pass (or restarted after the master's password changed) sees
// its pubsub connection refused (-NOAUTH to SUBSCRIBE), which hiredis answers by closing it:
// redis-sentinel flags the master "disconnected" until SENTINEL SET auth-pass is right, and
// monitoring that reads the flags notices. Ours must report the same.
func TestWrongAuthPassFlagsMasterDisconnected(t *testing.T) {
	const pass = "right-pass"
	master := redistest.StartServer(t, redistest.ServerOptions{RequirePass: pass})
	replica := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process, RequirePass: pass, MasterAuth: pass})
	redistest.WaitReplicaOnline(t, 20*time.Second, master.Process, replica.Process)

	outcomes := map[sentinelKind]authOutcome{}
	for _, kind := range []sentinelKind{stock, ours} {
		so := redistest.SentinelOptions{Monitors: []redistest.Monitor{{
			Name: masterName, Master: master.Process, Quorum: 1, AuthPass: "wrong-pass",
			// Long enough that no failover attempt interferes with what is observed.
			DownAfter: time.Minute,
		}}}
		if kind == ours {
			so.Binary = oursBinary
		}
		s := redistest.StartSentinel(t, so)
		c := s.SentinelClient()
		var out authOutcome
		poll.Eventually(t, 20*time.Second, string(kind)+" to flag the master disconnected", func(ctx context.Context) error {
			m, err := c.Master(ctx, masterName).Result()
			if err != nil {
				return err
			}
			if !slices.Contains(strings.Split(m["flags"], ","), "disconnected") {
				return fmt.Errorf("flags %q", m["flags"])
			}
			out.DisconnectedWhileWrong, out.SlavesWhileWrong = true, m["num-slaves"]
			return nil
		})
		ctx := context.Background()
		if err := s.Client().Do(ctx, "SENTINEL", "SET", masterName, "auth-pass", pass).Err(); err != nil {
			out.SetReply = err.Error()
		} else {
			out.SetReply = "OK"
		}
		poll.Eventually(t, 30*time.Second, string(kind)+" to see the master and its replica connected", func(ctx context.Context) error {
			m, err := c.Master(ctx, masterName).Result()
			if err != nil {
				return err
			}
			reps, err := c.Replicas(ctx, masterName).Result()
			if err != nil {
				return err
			}
			if m["flags"] != "master" || len(reps) != 1 || reps[0]["flags"] != "slave" {
				var rf []string
				for _, r := range reps {
					rf = append(rf, r["flags"])
				}
				return fmt.Errorf("master flags %q, replica flags %v", m["flags"], rf)
			}
			out.MasterFlagsAfterFix, out.ReplicaFlagsAfterFix = m["flags"], reps[0]["flags"]
			return nil
		})
		outcomes[kind] = out
	}
	if diff := cmp.Diff(outcomes[stock], outcomes[ours]); diff != "" {
		t.Errorf("wrong auth-pass (-stock +ours):\n%s", diff)
	}
}

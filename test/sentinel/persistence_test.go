package sentinel

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
)

// After a failover our sentinel has rewritten its config file (keeping the user's comment), and
// when restarted it comes back with the same id, the promoted master and the epoch it reached.
func TestRestartedSentinelKeepsStateFromItsConfig(t *testing.T) {
	const comment = "# operator note: keep this line"
	tp := newTopology(t, topologyOptions{directives: []string{comment}}, ours, ours, ours)
	s := tp.sentinels[0]

	ctx := context.Background()
	idBefore, err := s.Client().Do(ctx, "SENTINEL", "MYID").Text()
	if err != nil {
		t.Fatalf("SENTINEL MYID: %v", err)
	}
	tp.master.Kill()
	promoted := tp.waitFailedOver(t, 30*time.Second)

	var cfg *conf.Config
	poll.Eventually(t, 10*time.Second, "the config file to record the promotion", func(context.Context) error {
		var err error
		if cfg, err = conf.Load(s.ConfPath()); err != nil {
			return err
		}
		if m := cfg.Master(masterName); m == nil || m.Addr().String() != promoted.Addr() {
			return fmt.Errorf("monitor line is %v", cfg.Master(masterName))
		}
		return nil
	})
	if cfg.MyID != idBefore || cfg.CurrentEpoch < 1 {
		t.Errorf("config has myid %s epoch %d; want %s and an epoch >= 1", cfg.MyID, cfg.CurrentEpoch, idBefore)
	}
	if b, _ := os.ReadFile(s.ConfPath()); !strings.Contains(string(b), comment) {
		t.Errorf("the rewrite dropped the user's comment:\n%s", b)
	}

	s.Restart()
	c := s.SentinelClient()
	if addr, err := s.MasterAddr(ctx, c, masterName); err != nil || addr != promoted.Addr() {
		t.Errorf("after restart the master is %s (%v), want %s", addr, err, promoted.Addr())
	}
	if id, err := s.Client().Do(ctx, "SENTINEL", "MYID").Text(); err != nil || id != idBefore {
		t.Errorf("after restart SENTINEL MYID = %s (%v), want %s", id, err, idBefore)
	}
}

package sentinel_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// writeRecorderScript writes an executable that appends its arguments as one line to out.
func writeRecorderScript(t *testing.T, dir, name, out string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	body := "#!/bin/sh\necho \"$@\" >> " + out + "\n"
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNotificationAndClientReconfigScriptsRun(t *testing.T) {
	dir := t.TempDir()
	notified := filepath.Join(dir, "notified.txt")
	reconfigured := filepath.Join(dir, "reconfigured.txt")
	notify := writeRecorderScript(t, dir, "notify.sh", notified)
	reconf := writeRecorderScript(t, dir, "reconf.sh", reconfigured)
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100}, sentinels: 1, quorum: 1,
		downAfter: 500 * time.Millisecond, directives: []string{
			"sentinel notification-script " + masterName + " " + notify,
			"sentinel client-reconfig-script " + masterName + " " + reconf,
		}})
	old := c.master
	old.Kill()
	newAddr := c.waitAllAgree(20*time.Second, old.Addr(), c.sentinels...)
	newMaster := c.server(newAddr)
	wantReconf := fmt.Sprintf("%s leader start %s %d %s %d", masterName, old.Host(), old.Port(),
		newMaster.Host(), newMaster.Port())
	wantNotify := fmt.Sprintf("+sdown master %s %s %d", masterName, old.Host(), old.Port())
	poll.Eventually(t, 20*time.Second, "the scripts to have run", func(context.Context) error {
		for file, want := range map[string]string{reconfigured: wantReconf, notified: wantNotify} {
			b, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			if !strings.Contains(string(b), want+"\n") {
				return fmt.Errorf("%s has %q, want a line %q", file, b, want)
			}
		}
		return nil
	})
}

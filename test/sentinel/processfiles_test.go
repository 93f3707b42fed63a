package sentinel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// logfile and pidfile from the config, relative to dir: redis-sentinel writes its log and its
// pid there, and tooling that tails the one or signals the other relies on it.
func TestLogfileAndPidfileLikeStock(t *testing.T) {
	type outcome struct{ LogWritten, PidMatches bool }
	got := map[sentinelKind]outcome{}
	for _, kind := range []sentinelKind{stock, ours} {
		so := redistest.SentinelOptions{Directives: []string{"logfile sentinel-own.log", "pidfile sentinel.pid"}}
		if kind == ours {
			so.Binary = oursBinary
		}
		s := redistest.StartSentinel(t, so)
		var o outcome
		poll.Eventually(t, 10*time.Second, string(kind)+" to write its logfile and pidfile", func(context.Context) error {
			logText, err := os.ReadFile(filepath.Join(s.Dir(), "sentinel-own.log"))
			if err != nil {
				return err
			}
			pid, err := os.ReadFile(filepath.Join(s.Dir(), "sentinel.pid"))
			if err != nil {
				return err
			}
			o.LogWritten = len(logText) > 0
			o.PidMatches = strings.TrimSpace(string(pid)) == strconv.Itoa(s.Pid())
			if !o.LogWritten || !o.PidMatches {
				return fmt.Errorf("log %d bytes, pidfile %q, pid %d", len(logText), pid, s.Pid())
			}
			return nil
		})
		got[kind] = o
	}
	if diff := cmp.Diff(got[stock], got[ours]); diff != "" {
		t.Errorf("logfile/pidfile (-stock +ours):\n%s", diff)
	}
}

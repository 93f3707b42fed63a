package sentinel

import (
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// The killed master, restarted on its old address as a master, is turned into a replica of
// the promoted one (+convert-to-slave) instead of coming back as a second master.
func TestRestartedOldMasterRejoinsAsReplica(t *testing.T) {
	for _, group := range [][]sentinelKind{{ours, ours, ours}, {stock, ours, ours}} {
		t.Run(fmt.Sprint(group), func(t *testing.T) {
			tp := newTopology(t, topologyOptions{}, group...)
			old := tp.master
			old.Kill()
			promoted := tp.waitFailedOver(t, 30*time.Second)
			old.Restart() // no replicaof in its config: it comes back claiming to be a master
			// redis-sentinel waits 4×publish-period (8 s) before converting.
			redistest.WaitReplicaOnline(t, 40*time.Second, promoted.Process, old.Process)
		})
	}
}

// A frozen master (SIGSTOP: its sockets stay open, it just stops answering) is failed over like
// a dead one, and when it thaws it is demoted to a replica of the promoted master.
func TestFrozenMasterIsReplacedAndDemotedWhenItThaws(t *testing.T) {
	tp := newTopology(t, topologyOptions{}, ours, ours, ours)
	old := tp.master
	old.Stop()
	promoted := tp.waitFailedOver(t, 30*time.Second)
	old.Cont()
	redistest.WaitReplicaOnline(t, 40*time.Second, promoted.Process, old.Process)
}

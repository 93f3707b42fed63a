package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// CrashAndRestartFenced stands in for a Redis container that dies and is restarted in place:
// SHUTDOWN NOSAVE ends the process without a snapshot (as an OOM kill or a crash would), and
// it starts again on the same address, empty, fenced the way the Redis pods' start script
// starts a node the sentinels still name as master: a replica of itself (a link that never
// comes up) with replica-serve-stale-data no, so that it answers every data command with an
// error.
func (s *Server) CrashAndRestartFenced() {
	s.t.Helper()
	c := s.Client()
	_ = c.ShutdownNoSave(context.Background()).Err() // the connection drops as the server exits
	if err := poll.Until(context.Background(), 10*time.Second, poll.Interval, func(context.Context) error {
		if !s.Exited() {
			return fmt.Errorf("%s still running", s.name)
		}
		return nil
	}); err != nil {
		s.t.Fatalf("%s: SHUTDOWN NOSAVE: %v", s.name, err)
	}
	conf := filepath.Join(s.dir, "redis.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		s.t.Fatalf("%s: %v", s.name, err)
	}
	_, err = fmt.Fprintf(f, "replicaof %s %s\nreplica-serve-stale-data no\n", s.host, strconv.Itoa(s.port))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.t.Fatalf("%s: fencing the config: %v", s.name, err)
	}
	s.Restart()
}

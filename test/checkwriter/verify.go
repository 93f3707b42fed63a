package checkwriter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// verifyBatch is how many keys one MGET reads.
const verifyBatch = 500

// Verdict is what Verify found on the final master.
type Verdict struct {
	// Master is the address the sentinels name as master; it reported role:master.
	Master string
	// Checked is the number of acknowledged writes looked up.
	Checked int
	// Lost are the acknowledged writes whose key is missing on the master or holds another value.
	Lost []Write
}

// Verify reads every acknowledged key on the final master: the address every answering
// sentinel of Options.SentinelAddrs names, which must report role:master. It needs Stop first,
// and the group settled (the caller waits for that, e.g. for its Ready condition): sentinels
// that disagree, or a named master that is not a master, are an error, not a verdict.
func (w *Writer) Verify(ctx context.Context) (Verdict, error) {
	w.mu.Lock()
	stopped := w.stopped
	var acked []Write
	for _, wr := range w.writes {
		if !wr.Acked.IsZero() {
			acked = append(acked, wr)
		}
	}
	w.mu.Unlock()
	if !stopped {
		return Verdict{}, errors.New("checkwriter: Verify before Stop")
	}

	master, err := FinalMaster(ctx, w.opts.SentinelAddrs, w.opts.MasterName, w.opts.SentinelPassword)
	if err != nil {
		return Verdict{}, err
	}
	c := redis.NewClient(&redis.Options{Addr: master, Password: w.opts.Password, DialTimeout: w.opts.Timeout,
		ReadTimeout: 5 * w.opts.Timeout, ContextTimeoutEnabled: true})
	defer c.Close()
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return Verdict{}, fmt.Errorf("checkwriter: INFO replication on the final master %s: %w", master, err)
	}
	if role := infoField(info, "role"); role != "master" {
		return Verdict{}, fmt.Errorf("checkwriter: the sentinels name %s master, but it reports role:%s", master, role)
	}

	v := Verdict{Master: master, Checked: len(acked)}
	for start := 0; start < len(acked); start += verifyBatch {
		batch := acked[start:min(start+verifyBatch, len(acked))]
		keys := make([]string, len(batch))
		for i, wr := range batch {
			keys[i] = wr.Key
		}
		values, err := c.MGet(ctx, keys...).Result()
		if err != nil {
			return Verdict{}, fmt.Errorf("checkwriter: MGET of %d keys on %s: %w", len(keys), master, err)
		}
		for i, wr := range batch {
			if s, ok := values[i].(string); !ok || s != strconv.FormatInt(wr.Seq, 10) {
				v.Lost = append(v.Lost, wr)
			}
		}
	}
	return v, nil
}

// FinalMaster asks each sentinel for the master's address and returns it when every sentinel
// that answers names the same one. Each is asked once, within a few seconds: the caller polls.
func FinalMaster(ctx context.Context, sentinelAddrs []string, masterName, sentinelPassword string) (string, error) {
	views := map[string][]string{}
	var errs []error
	for _, addr := range sentinelAddrs {
		s := redis.NewSentinelClient(&redis.Options{Addr: addr, Password: sentinelPassword, DialTimeout: time.Second,
			ReadTimeout: 2 * time.Second, MaxRetries: -1, ContextTimeoutEnabled: true})
		hostPort, err := s.GetMasterAddrByName(ctx, masterName).Result()
		_ = s.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("sentinel %s: %w", addr, err))
			continue
		}
		if len(hostPort) != 2 {
			errs = append(errs, fmt.Errorf("sentinel %s: master address %v", addr, hostPort))
			continue
		}
		master := net.JoinHostPort(hostPort[0], hostPort[1])
		views[master] = append(views[master], addr)
	}
	switch len(views) {
	case 0:
		return "", fmt.Errorf("checkwriter: no sentinel named master %q: %w", masterName, errors.Join(errs...))
	case 1:
		for master := range views {
			return master, nil
		}
	}
	var parts []string
	for master, by := range views {
		parts = append(parts, fmt.Sprintf("%s by %v", master, by))
	}
	sort.Strings(parts)
	return "", fmt.Errorf("checkwriter: the sentinels disagree on master %q: %s", masterName, strings.Join(parts, "; "))
}

func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

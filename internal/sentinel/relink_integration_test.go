package sentinel_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// TestAuthPassAfterMonitorKeepsMasterConnected replays what the operator does with a
// password-protected master, many times over on one sentinel: SENTINEL MONITOR, SET auth-pass,
// SET the other options, and later REMOVE. Each auth-pass change replaces the link opened by
// MONITOR, and each REMOVE+MONITOR replaces the previous round's link; a replaced link that
// reports "down" after its successor reported "up" must not leave the master marked
// disconnected (no more PING/INFO, then s_down) while the successor is healthy. The race is
// a matter of goroutine scheduling, hence the many rounds.
func TestAuthPassAfterMonitorKeepsMasterConnected(t *testing.T) {
	const (
		password = "monitor-then-auth-pass"
		rounds   = 40
	)
	master := redistest.StartServer(t, redistest.ServerOptions{RequirePass: password})
	s := redistest.StartSentinel(t, redistest.SentinelOptions{Binary: sentinelBinary, Args: []string{"--loglevel", "verbose"}})
	failOnDataRace(t, s)
	cl := s.SentinelClient()
	cmd := s.Client()
	masterClient := master.Client()
	runID, err := infoField(context.Background(), masterClient, "server", "run_id")
	if err != nil {
		t.Fatalf("reading the master's run_id: %v", err)
	}

	ctx := context.Background()
	for round := 1; round <= rounds; round++ {
		do := func(args ...any) {
			t.Helper()
			if err := cmd.Do(ctx, args...).Err(); err != nil {
				t.Fatalf("round %d: %v: %v", round, args, err)
			}
		}
		do("SENTINEL", "MONITOR", masterName, master.Host(), strconv.Itoa(master.Port()), "1")
		do("SENTINEL", "SET", masterName, "auth-pass", password)
		// A short down-after makes the sentinel PING every 500 ms, so that the check below,
		// that it keeps PINGing, takes half a second per round.
		do("SENTINEL", "SET", masterName, "down-after-milliseconds", "500")

		// The run id comes from an INFO reply, which only the authenticated link gets (the
		// link opened by MONITOR gets -NOAUTH).
		poll.Eventually(t, 10*time.Second, fmt.Sprintf("round %d: the sentinel to read the master's INFO with auth", round),
			func(context.Context) error {
				m, err := masterFields(cl)
				if err != nil {
					return err
				}
				if m["flags"] != "master" || m["runid"] != runID {
					return describeLink(m, masterClient)
				}
				return nil
			})
		// A link that the sentinel believes down gets no periodic PING: a PONG newer than this
		// point shows the sentinel still uses the link, not just that it once came up.
		up := time.Now()
		poll.Eventually(t, 10*time.Second, fmt.Sprintf("round %d: the sentinel to keep PINGing the master", round),
			func(context.Context) error {
				m, err := masterFields(cl)
				if err != nil {
					return err
				}
				okAgo, err := strconv.ParseInt(m["last-ok-ping-reply"], 10, 64)
				if err != nil {
					return fmt.Errorf("last-ok-ping-reply %q: %w", m["last-ok-ping-reply"], err)
				}
				if m["flags"] != "master" || time.Duration(okAgo)*time.Millisecond >= time.Since(up) {
					return describeLink(m, masterClient)
				}
				return nil
			})
		do("SENTINEL", "REMOVE", masterName)
	}
}

// masterFields is SENTINEL MASTER. It does not use the poll's context: the last poll, whose
// error the failure shows, would run into the poll's deadline and hide the fields.
func masterFields(cl *redis.SentinelClient) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m, err := cl.Master(ctx, masterName).Result()
	if err != nil {
		return nil, fmt.Errorf("sentinel master %s: %w", masterName, err)
	}
	return m, nil
}

// describeLink is the failure message: the sentinel's view of the master next to the master's
// view of the sentinel's connections (an idle, authenticated cmd link is the bug's signature).
func describeLink(m map[string]string, master *redis.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	clients, err := master.ClientList(ctx).Result()
	if err != nil {
		return fmt.Errorf("flags %q runid %q last-ok-ping-reply %s ms; the master's CLIENT LIST: %w",
			m["flags"], m["runid"], m["last-ok-ping-reply"], err)
	}
	var sentinelClients []string
	for _, line := range strings.Split(clients, "\n") {
		if strings.Contains(line, "name=sentinel-") {
			sentinelClients = append(sentinelClients, line)
		}
	}
	return fmt.Errorf("flags %q runid %q last-ok-ping-reply %s ms link-pending-commands %s; the master's sentinel clients:\n%s",
		m["flags"], m["runid"], m["last-ok-ping-reply"], m["link-pending-commands"], strings.Join(sentinelClients, "\n"))
}

// Package poll is how every test in this repository waits: it re-checks a condition at an
// interval until the condition holds or a deadline passes, and on timeout it reports the
// condition's last reason for not holding. Unit tests against real redis-server processes,
// envtest suites and the end-to-end framework all wait through it, so no test sleeps in place
// of waiting and every timeout says what was still wrong.
package poll

import (
	"context"
	"fmt"
	"time"
)

// Interval is how often Eventually re-checks its condition. Conditions on local processes and
// on envtest's API server change within milliseconds; callers polling something slower (a real
// cluster) pass their own interval to Until.
const Interval = 20 * time.Millisecond

// Condition reports nil when what the caller waits for holds, or an error saying why it does not
// hold yet. An error never ends the wait by itself: the thing waited for may simply not be there
// yet. The ctx it gets ends at the deadline, so a condition doing I/O does not outlive the wait.
type Condition func(ctx context.Context) error

// Until calls cond right away and then every interval until it returns nil, timeout passes or
// ctx ends. It returns nil once cond held, and otherwise an error naming the timeout and
// wrapping cond's last error.
func Until(ctx context.Context, timeout, interval time.Duration, cond Condition) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("still not true after %v: %w", timeout, err)
			}
			return fmt.Errorf("stopped waiting (%w): %w", context.Cause(ctx), err)
		case <-tick.C:
		}
	}
}

// T is the part of testing.TB that Eventually needs; the Redis harness's T and *testing.T,
// *testing.B satisfy it.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Eventually is Until for tests, at Interval: it fails the test with what was awaited and the
// condition's last error.
func Eventually(t T, timeout time.Duration, what string, cond Condition) {
	t.Helper()
	if err := Until(context.Background(), timeout, Interval, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

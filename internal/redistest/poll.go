package redistest

import (
	"context"
	"fmt"
	"time"
)

// PollInterval is how often the Wait helpers re-check their condition.
const PollInterval = 20 * time.Millisecond

// Poll calls cond until it returns nil or timeout passes, and then returns the last error.
// It is the harness's only way of waiting: conditions are polled, never slept on.
func Poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(PollInterval)
	defer tick.Stop()
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("still not true after %v: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// Eventually is Poll for tests: it fails the test with what was being waited for.
func Eventually(t T, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	if err := Poll(context.Background(), timeout, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

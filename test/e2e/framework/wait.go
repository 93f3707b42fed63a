package framework

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// PollInterval is how often WaitFor checks its condition.
const PollInterval = 250 * time.Millisecond

// Condition reports whether what a test waits for holds now. A non-nil error does not end the
// wait (the cluster may not be there yet); the last one is reported if the deadline passes.
// Return a non-nil error from a Condition to explain why it does not hold yet.
type Condition func(ctx context.Context) (done bool, err error)

// WaitFor polls cond until it holds or timeout passes, then fails the test naming what was
// awaited and the last reason it did not hold.
func WaitFor(ctx context.Context, t testing.TB, timeout time.Duration, what string, cond Condition) {
	t.Helper()
	if err := Poll(ctx, timeout, cond); err != nil {
		t.Fatalf("waiting %s for %s: %v", timeout, what, err)
	}
}

// Poll is WaitFor for callers that handle the failure themselves. It waits through package poll,
// like every other test in the repository, at the cluster's slower PollInterval.
func Poll(ctx context.Context, timeout time.Duration, cond Condition) error {
	return poll.Until(ctx, timeout, PollInterval, func(ctx context.Context) error {
		done, err := cond(ctx)
		if err != nil {
			return err
		}
		if !done {
			return errNotYet
		}
		return nil
	})
}

// errNotYet stands for a Condition that reported "not done" without saying why.
var errNotYet = errors.New("condition not met (it gave no reason)")

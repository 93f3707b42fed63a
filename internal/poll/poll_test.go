package poll

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	calls := 0
	err := Until(context.Background(), 5*time.Second, time.Millisecond, func(context.Context) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("call %d", calls)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Until = %v after %d calls; want nil after 3", err, calls)
	}
}

func TestUntilReportsTheLastReasonOnTimeout(t *testing.T) {
	errLast := errors.New("replica at offset 7, master at 9")
	err := Until(context.Background(), 30*time.Millisecond, time.Millisecond, func(ctx context.Context) error {
		return errLast
	})
	if !errors.Is(err, errLast) || !strings.Contains(err.Error(), "still not true after 30ms") {
		t.Fatalf("Until = %v; want the timeout named and the last error wrapped", err)
	}
}

func TestUntilStopsWhenTheCallerCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Until(ctx, time.Hour, time.Millisecond, func(context.Context) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return errors.New("not yet")
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not yet") {
		t.Fatalf("Until = %v; want context.Canceled and the last error", err)
	}
}

func TestConditionGetsTheDeadline(t *testing.T) {
	err := Until(context.Background(), time.Minute, time.Millisecond, func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline on the condition's context")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// recordingT records Fatalf instead of ending the test, to check what Eventually reports.
type recordingT struct {
	*testing.T
	fatal string
}

func (r *recordingT) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

func TestEventuallyFailsNamingWhatWasAwaited(t *testing.T) {
	rt := &recordingT{T: t}
	Eventually(rt, 30*time.Millisecond, "the replica to catch up", func(context.Context) error {
		return errors.New("offset 7 of 9")
	})
	if !strings.Contains(rt.fatal, "waiting for the replica to catch up") || !strings.Contains(rt.fatal, "offset 7 of 9") {
		t.Fatalf("Eventually reported %q; want what was awaited and the last error", rt.fatal)
	}
}

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// checkingWriter writes a unique key every 10 ms through a go-redis FailoverClient that asks the
// sentinels for the master, as applications do, and remembers every acknowledged key and when.
type checkingWriter struct {
	client *redis.Client
	stop   chan struct{}
	done   chan struct{}

	mu    sync.Mutex
	acked []int
	at    []time.Time
}

func startCheckingWriter(t *testing.T, masterName string, sentinelAddrs []string, password string) *checkingWriter {
	t.Helper()
	w := &checkingWriter{
		client: redis.NewFailoverClient(&redis.FailoverOptions{MasterName: masterName, SentinelAddrs: sentinelAddrs,
			Password: password, SentinelPassword: password}),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := w.client.Set(ctx, "w:"+strconv.Itoa(i), i, 0).Err()
			cancel()
			if err == nil {
				w.mu.Lock()
				w.acked = append(w.acked, i)
				w.at = append(w.at, time.Now())
				w.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		w.halt()
		_ = w.client.Close()
	})
	return w
}

func (w *checkingWriter) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// waitAcks waits for n more acknowledged writes.
func (w *checkingWriter) waitAcks(ctx context.Context, t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	w.mu.Lock()
	target := len(w.acked) + n
	w.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		w.mu.Lock()
		got := len(w.acked)
		w.mu.Unlock()
		if got >= target {
			return
		}
		time.Sleep(20 * time.Millisecond) // polling the writer's progress
	}
	t.Fatalf("writer: fewer than %d more acknowledged writes within %v", n, timeout)
}

// gapAfter is the longest time without an acknowledged write that ends after since: the write
// outage a fault at since caused.
func (w *checkingWriter) gapAfter(since time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var gap time.Duration
	for i := 1; i < len(w.at); i++ {
		if w.at[i].After(since) {
			gap = max(gap, w.at[i].Sub(w.at[i-1]))
		}
	}
	return gap
}

// lost stops the writer and returns how many acknowledged keys the current master lacks.
func (w *checkingWriter) lost(ctx context.Context, t *testing.T) (lost, acked int) {
	t.Helper()
	w.halt()
	w.mu.Lock()
	keys := append([]int(nil), w.acked...)
	w.mu.Unlock()
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		names := make([]string, len(batch))
		for i, k := range batch {
			names[i] = "w:" + strconv.Itoa(k)
		}
		vals, err := w.client.MGet(ctx, names...).Result()
		if err != nil {
			t.Fatalf("reading back the acknowledged keys: %v", err)
		}
		for i, v := range vals {
			if fmt.Sprint(v) != strconv.Itoa(batch[i]) {
				lost++
			}
		}
	}
	return lost, len(keys)
}

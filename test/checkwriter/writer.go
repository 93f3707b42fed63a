// Package checkwriter proves that an operation on a Redis master/replica/sentinel group lost no
// acknowledged write, and measures what the clients saw while it ran.
//
// A Writer connects the way applications do, with a go-redis FailoverClient through the
// sentinels, and writes one unique key per Interval (10 ms by default), one write at a time,
// recording when each was sent and when it was acknowledged (or the error it got). After Stop,
// Verify asks the sentinels for the final master and reads every acknowledged key there: an
// acknowledged key that is missing or holds another value is lost. Gaps (the longest interval
// without an acknowledgement, or the one around a given moment) are what a client felt as an
// outage; they are figures to log and benchmark, not to assert in a test.
//
// The package needs no testing.T, so the e2e framework, the e2e benchmark and the demo share it.
package checkwriter

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for Options.
const (
	DefaultInterval = 10 * time.Millisecond
	DefaultTimeout  = time.Second
)

// Options say where the writer writes and how.
type Options struct {
	// SentinelAddrs are the sentinels' host:port addresses (a Service address is enough: the
	// client discovers the other sentinels from it).
	SentinelAddrs []string
	// MasterName is the name the sentinels monitor the master under.
	MasterName string
	// Password authenticates to Redis; SentinelPassword to the sentinels ("" = none).
	Password         string
	SentinelPassword string
	// Interval is the pace of writes; 0 means DefaultInterval. Writes never overlap: a write
	// that takes longer than Interval delays the next one.
	Interval time.Duration
	// Timeout bounds dialing, reading and writing on one connection; 0 means DefaultTimeout.
	// One write, with go-redis's own retries, is bounded by 5 × Timeout.
	Timeout time.Duration
	// KeyPrefix starts every key; "" means "checkwriter:<start time in ns>:", unique per run.
	KeyPrefix string
}

// Write is one attempted SET.
type Write struct {
	Seq   int64
	Key   string
	Sent  time.Time
	Acked time.Time // zero when the write failed
	Err   string    // the error when it failed
}

// Writer writes and records; see the package comment. Its methods are safe for concurrent use.
type Writer struct {
	opts   Options
	client *redis.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	writes  []Write
	acks    []time.Time // ascending: writes are sequential
	acked   chan struct{}
	stopped bool
}

// Start begins writing and returns once the first write is acknowledged, so that whatever
// the caller does next happens with the writer running. It fails if ctx ends first.
func Start(ctx context.Context, opts Options) (*Writer, error) {
	if len(opts.SentinelAddrs) == 0 || opts.MasterName == "" {
		return nil, errors.New("checkwriter: SentinelAddrs and MasterName are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = fmt.Sprintf("checkwriter:%d:", time.Now().UnixNano())
	}
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            opts.MasterName,
		SentinelAddrs:         opts.SentinelAddrs,
		Password:              opts.Password,
		SentinelPassword:      opts.SentinelPassword,
		DialTimeout:           opts.Timeout,
		ReadTimeout:           opts.Timeout,
		WriteTimeout:          opts.Timeout,
		ContextTimeoutEnabled: true,
	})
	loopCtx, cancel := context.WithCancel(context.Background())
	w := &Writer{opts: opts, client: client, cancel: cancel, done: make(chan struct{}), acked: make(chan struct{})}
	go w.loop(loopCtx)
	if err := w.WaitAckAfter(ctx, time.Time{}); err != nil {
		w.Stop()
		return nil, fmt.Errorf("checkwriter: no write acknowledged through sentinels %v (master %q): %w; last error: %s",
			opts.SentinelAddrs, opts.MasterName, err, w.lastError())
	}
	return w, nil
}

func (w *Writer) loop(ctx context.Context) {
	defer close(w.done)
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	for seq := int64(1); ; seq++ {
		w.write(ctx, seq)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (w *Writer) write(ctx context.Context, seq int64) {
	key := w.key(seq)
	wctx, cancel := context.WithTimeout(ctx, 5*w.opts.Timeout)
	defer cancel()
	sent := time.Now()
	err := w.client.Set(wctx, key, strconv.FormatInt(seq, 10), 0).Err()
	now := time.Now()
	if ctx.Err() != nil {
		return // Stop interrupted this write: it is neither acknowledged nor a failure
	}
	rec := Write{Seq: seq, Key: key, Sent: sent}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		rec.Err = err.Error()
	} else {
		rec.Acked = now
		w.acks = append(w.acks, now)
		close(w.acked)
		w.acked = make(chan struct{})
	}
	w.writes = append(w.writes, rec)
}

func (w *Writer) key(seq int64) string { return fmt.Sprintf("%s%09d", w.opts.KeyPrefix, seq) }

// WaitAckAfter waits until a write is acknowledged after moment m (any write, if m is zero):
// proof that the clients write again after an operation.
func (w *Writer) WaitAckAfter(ctx context.Context, m time.Time) error {
	for {
		w.mu.Lock()
		ok := len(w.acks) > 0 && w.acks[len(w.acks)-1].After(m)
		wake, stopped := w.acked, w.stopped
		w.mu.Unlock()
		if ok {
			return nil
		}
		if stopped {
			return errors.New("the writer is stopped")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-w.done:
		}
	}
}

// Stop ends writing (the write in flight is abandoned) and closes the client. It is
// idempotent; Verify needs it first.
func (w *Writer) Stop() {
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		_ = w.client.Close()
	}
}

// Options are the options the writer runs with, defaults filled in.
func (w *Writer) Options() Options { return w.opts }

// Writes returns a copy of every attempted write, in order.
func (w *Writer) Writes() []Write {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Write(nil), w.writes...)
}

// LongestGap is the longest interval between consecutive acknowledgements that overlaps
// [from, to]; a zero from or to leaves that side open (both zero: the whole run).
func (w *Writer) LongestGap(from, to time.Time) Gap {
	w.mu.Lock()
	defer w.mu.Unlock()
	return longestGap(w.acks, from, to)
}

// GapAround is the interval between the last acknowledgement at or before m and the first
// after it: the outage a client saw at that moment.
func (w *Writer) GapAround(m time.Time) Gap {
	w.mu.Lock()
	defer w.mu.Unlock()
	return gapAround(w.acks, m)
}

// ErrorCount is how often one error message was returned, and when first and last.
type ErrorCount struct {
	Err         string
	Count       int
	First, Last time.Time
}

// Summary describes a run so far.
type Summary struct {
	Attempts, Acked, Failed int
	// FirstAck and LastAck bound the acknowledged writes.
	FirstAck, LastAck time.Time
	// Longest is the longest interval without an acknowledgement over the whole run.
	Longest Gap
	// Errors are the distinct errors, most frequent first.
	Errors []ErrorCount
}

// Summary counts the writes and their errors.
func (w *Writer) Summary() Summary {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := Summary{Attempts: len(w.writes), Acked: len(w.acks), Longest: longestGap(w.acks, time.Time{}, time.Time{})}
	s.Failed = s.Attempts - s.Acked
	if len(w.acks) > 0 {
		s.FirstAck, s.LastAck = w.acks[0], w.acks[len(w.acks)-1]
	}
	byErr := map[string]*ErrorCount{}
	for _, wr := range w.writes {
		if wr.Err == "" {
			continue
		}
		e := byErr[wr.Err]
		if e == nil {
			e = &ErrorCount{Err: wr.Err, First: wr.Sent}
			byErr[wr.Err] = e
		}
		e.Count++
		e.Last = wr.Sent
	}
	for _, e := range byErr {
		s.Errors = append(s.Errors, *e)
	}
	sort.Slice(s.Errors, func(i, j int) bool {
		if s.Errors[i].Count != s.Errors[j].Count {
			return s.Errors[i].Count > s.Errors[j].Count
		}
		return s.Errors[i].First.Before(s.Errors[j].First)
	})
	return s
}

func (w *Writer) lastError() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.writes) - 1; i >= 0; i-- {
		if w.writes[i].Err != "" {
			return w.writes[i].Err
		}
	}
	return "none"
}

// SilenceClientLogs stops go-redis from logging every failed dial and every master it selects:
// during a failover that is dozens of lines, and the writer's own summary and timeline already
// say what matters.
func SilenceClientLogs() { redis.SetLogger(discardLogger{}) }

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// op is one client command and what came of it.
type op struct {
	kind   string // "set" or "incr"
	seq    int64  // SET's value
	start  time.Time
	end    time.Time
	err    error
	server string // data node that answered (from the dialer's connection tracking)
	reply  int64  // SET: previous value (GET), 0 if none; INCR: new value
}

// servedBy remembers which data node last sent bytes to the client. The client runs one command
// at a time, so after a command returns this is the node that answered it.
type servedBy struct {
	dataNodes map[string]bool
	last      atomic.Value // string
}

type trackedConn struct {
	net.Conn
	addr string
	s    *servedBy
}

func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.s.last.Store(c.addr)
	}
	return n, err
}

// dialer is go-redis's default dialer plus tracking of connections to data nodes (sentinel
// connections go through the same Dialer and are left alone).
func (s *servedBy) dialer(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 5 * time.Minute}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil || !s.dataNodes[addr] {
		return c, err
	}
	return &trackedConn{Conn: c, addr: addr, s: s}, nil
}

// writer is the benchmark workload: every 10 ms, sequentially, `SET k <i> GET` then `INCR counter`,
// through a go-redis v9 FailoverClient with default options.
type writer struct {
	client *redis.Client
	served *servedBy
	mu     sync.Mutex
	ops    []op
}

func newWriter(sentinels []string, dataNodes []string) *writer {
	s := &servedBy{dataNodes: map[string]bool{}}
	for _, a := range dataNodes {
		s.dataNodes[a] = true
	}
	s.last.Store("")
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:    masterName,
		SentinelAddrs: sentinels,
		Dialer:        s.dialer,
	})
	return &writer{client: c, served: s}
}

func (w *writer) run(ctx context.Context) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for seq := int64(1); ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.do("set", seq, func(ctx context.Context) (int64, error) {
			prev, err := w.client.SetArgs(ctx, "k", seq, redis.SetArgs{Get: true}).Result()
			if errors.Is(err, redis.Nil) {
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			return strconv.ParseInt(prev, 10, 64)
		})
		w.do("incr", 0, func(ctx context.Context) (int64, error) {
			return w.client.Incr(ctx, "counter").Result()
		})
	}
}

func (w *writer) do(kind string, seq int64, f func(context.Context) (int64, error)) {
	o := op{kind: kind, seq: seq, start: time.Now()}
	// Background context: an op in flight when the run ends finishes like any other.
	o.reply, o.err = f(context.Background())
	o.end = time.Now()
	o.server, _ = w.served.last.Load().(string)
	w.mu.Lock()
	w.ops = append(w.ops, o)
	w.mu.Unlock()
}

func (w *writer) snapshot() []op {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]op(nil), w.ops...)
}

// lostAcks counts acknowledged writes that a later reply proves gone, over all master switches:
// a SET whose GET returns a value older than the last acknowledged SET lost every acknowledged
// SET in between; an INCR reply not above the highest acknowledged value lost the difference.
func lostAcks(ops []op) (lostSet, lostIncr int) {
	var acked []int64 // acknowledged SET seqs, increasing
	var lastAcked, maxIncr int64
	for _, o := range ops {
		if o.err != nil {
			continue
		}
		switch o.kind {
		case "set":
			if o.reply < lastAcked {
				// The acked SETs above the value the server returned are gone.
				keep := len(acked)
				for keep > 0 && acked[keep-1] > o.reply {
					keep--
				}
				lostSet += len(acked) - keep
				acked = acked[:keep]
			}
			acked = append(acked, o.seq)
			lastAcked = o.seq
		case "incr":
			if o.reply <= maxIncr {
				lostIncr += int(maxIncr - o.reply + 1)
			}
			maxIncr = o.reply
		}
	}
	return lostSet, lostIncr
}

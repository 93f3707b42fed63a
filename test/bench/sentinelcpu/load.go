package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// load is the client traffic of test/bench/sentinel's idle window: every sentinel is asked
// SENTINEL get-master-addr-by-name every pollEvery, and a go-redis FailoverClient (which
// discovers the master through the sentinels and subscribes to +switch-master) writes at
// writesPerSecond.
type load struct {
	polls  atomic.Int64 // successful polls
	errors atomic.Int64
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startLoad(sentinels, dataNodes []string, pollEvery time.Duration, writesPerSecond int) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel}
	for _, addr := range sentinels {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.poll(ctx, addr, pollEvery)
		}()
	}
	if writesPerSecond > 0 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.write(ctx, sentinels, time.Second/time.Duration(writesPerSecond))
		}()
	}
	return l
}

func (l *load) stop() {
	l.cancel()
	l.wg.Wait()
}

// poll uses one connection, like the benchmark's poller (go-redis keeps it pooled).
func (l *load) poll(ctx context.Context, addr string, every time.Duration) {
	c := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1, ReadTimeout: 200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		hp, err := c.GetMasterAddrByName(ctx, masterName).Result()
		if err != nil || len(hp) != 2 {
			if ctx.Err() == nil {
				l.errors.Add(1)
			}
			continue
		}
		l.polls.Add(1)
	}
}

func (l *load) write(ctx context.Context, sentinels []string, every time.Duration) {
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: masterName, SentinelAddrs: sentinels})
	defer c.Close()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for seq := int64(1); ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := c.Set(ctx, "k", seq, 0).Err(); err != nil && ctx.Err() == nil {
			l.errors.Add(1)
		}
	}
}

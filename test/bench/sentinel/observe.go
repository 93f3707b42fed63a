package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// event is one message a sentinel published (PSUBSCRIBE *).
type event struct {
	at       time.Time
	sentinel int
	channel  string
	payload  string
}

type eventLog struct {
	mu     sync.Mutex
	events []event
}

func (l *eventLog) add(e event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) snapshot() []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]event(nil), l.events...)
}

// subscribe records every event of sentinel i until ctx ends. It returns once the subscription is
// confirmed, so no event after the call is missed.
func subscribe(ctx context.Context, i int, addr string, log *eventLog) (func(), error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	ps := c.PSubscribe(ctx, "*")
	if _, err := ps.Receive(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("PSUBSCRIBE * on sentinel %s: %w", addr, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			log.add(event{at: time.Now(), sentinel: i, channel: m.Channel, payload: m.Payload})
		}
	}()
	return func() {
		_ = ps.Close()
		_ = c.Close()
		<-done
	}, nil
}

// masterPoller asks one sentinel for the master address every 5 ms and remembers when the answer
// first differed from the old master.
type masterPoller struct {
	mu         sync.Mutex
	firstNewAt time.Time
	firstNew   string
	last       string
}

func (p *masterPoller) run(ctx context.Context, addr, oldMaster string) {
	c := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1, ReadTimeout: 200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		hp, err := c.GetMasterAddrByName(ctx, masterName).Result()
		if err != nil || len(hp) != 2 {
			continue
		}
		now := time.Now()
		a := net.JoinHostPort(hp[0], hp[1])
		p.mu.Lock()
		p.last = a
		if a != oldMaster && p.firstNewAt.IsZero() {
			p.firstNewAt, p.firstNew = now, a
		}
		p.mu.Unlock()
	}
}

func (p *masterPoller) result() (time.Time, string, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstNewAt, p.firstNew, p.last
}

// rssKB is what `ps -o rss=` reports for pid.
func rssKB(pid int) (int, error) {
	out, err := exec.Command("ps", "-o", "rss=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return 0, fmt.Errorf("ps -o rss= -p %d: %w", pid, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("ps -o rss= -p %d: %q: %w", pid, out, err)
	}
	return n, nil
}

// scrapeMetrics fetches a sentinel's /metrics once and checks that it carries the sentinel's own
// series, so that a run labelled "--metrics-addr on" really served them.
func scrapeMetrics(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("scraping %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("scraping %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "redis_failover_sentinel_master_state{") {
		return fmt.Errorf("scraping %s: status %d, no redis_failover_sentinel_master_state series in %d bytes", url, resp.StatusCode, len(body))
	}
	return nil
}

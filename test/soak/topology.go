package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/test/bench/benchenv"
)

const masterName = "mymaster"

// topology is 1 master + 2 replicas watched by 3 sentinels of one implementation, kept for the
// whole soak: each kill's victim is restarted as a replica of the new master.
type topology struct {
	impl      impl
	scope     *benchenv.Scope
	servers   map[string]*redistest.Server // by address
	sentinels []*redistest.Sentinel
	sclients  []*redis.SentinelClient // one per sentinel, for the polls
	events    *os.File                // every sentinel event, as JSON lines
	eventsMu  sync.Mutex
	kill      int                 // the kill in progress, guarded by eventsMu
	perKill   map[int]*killEvents // guarded by eventsMu
}

type impl struct {
	name   string
	binary string // "" is Debian's redis-sentinel
}

func (im impl) label() string {
	if im.binary == "" {
		return "stock"
	}
	return "ours"
}

func startTopology(s *benchenv.Scope, im impl, downAfter time.Duration, logDir string) *topology {
	master := redistest.StartServer(s, redistest.ServerOptions{})
	r1 := redistest.StartServer(s, redistest.ServerOptions{ReplicaOf: master.Process})
	r2 := redistest.StartServer(s, redistest.ServerOptions{ReplicaOf: master.Process})
	redistest.WaitReplicaOnline(s, 30*time.Second, master.Process, r1.Process, r2.Process)
	t := &topology{impl: im, scope: s, servers: map[string]*redistest.Server{}, perKill: map[int]*killEvents{}}
	for _, srv := range []*redistest.Server{master, r1, r2} {
		t.servers[srv.Addr()] = srv
	}
	mon := []redistest.Monitor{{Name: masterName, Master: master.Process, Quorum: 2, DownAfter: downAfter}}
	for i := 0; i < 3; i++ {
		t.sentinels = append(t.sentinels, redistest.StartSentinel(s, redistest.SentinelOptions{Binary: im.binary, Monitors: mon}))
	}
	redistest.WaitSentinelReady(s, 60*time.Second, masterName, master.Process, 2, 2, t.sentinels...)
	for _, sn := range t.sentinels {
		t.sclients = append(t.sclients, sn.SentinelClient())
	}

	f, err := os.Create(filepath.Join(logDir, im.label()+"-events.jsonl"))
	if err != nil {
		s.Fatalf("creating the event log: %v", err)
	}
	t.events = f
	s.Cleanup(func() { f.Close() })
	for i, sn := range t.sentinels {
		t.subscribe(i, sn.Addr())
	}
	return t
}

// subscribe logs every event sentinel i publishes (PSUBSCRIBE *), for the diagnosis of a stall.
func (t *topology) subscribe(i int, addr string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	ps := c.PSubscribe(context.Background(), "*")
	if _, err := ps.Receive(context.Background()); err != nil {
		t.scope.Fatalf("PSUBSCRIBE * on sentinel %s: %v", addr, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			t.note(map[string]any{"sentinel": i, "channel": m.Channel, "payload": m.Payload})
			t.count(m.Channel, m.Payload)
		}
	}()
	t.scope.Cleanup(func() {
		_ = ps.Close()
		_ = c.Close()
		<-done
	})
}

// killEvents is what the sentinels announced while one kill was in progress.
type killEvents struct {
	switches    map[string]bool // distinct +switch-master payloads
	notElected  int             // -failover-abort-not-elected (split votes)
	otherAborts int             // every other -failover-abort-*
}

// startKill makes the following events count for kill n.
func (t *topology) startKill(n int) {
	t.eventsMu.Lock()
	defer t.eventsMu.Unlock()
	t.kill = n
	t.perKill[n] = &killEvents{switches: map[string]bool{}}
}

func (t *topology) count(channel, payload string) {
	t.eventsMu.Lock()
	defer t.eventsMu.Unlock()
	k := t.perKill[t.kill]
	if k == nil {
		return
	}
	switch {
	case channel == "+switch-master":
		k.switches[payload] = true
	case channel == "-failover-abort-not-elected":
		k.notElected++
	case strings.HasPrefix(channel, "-failover-abort"):
		k.otherAborts++
	}
}

// summary sums the per-kill events.
func (t *topology) summary() sentinelSummary {
	t.eventsMu.Lock()
	defer t.eventsMu.Unlock()
	var sum sentinelSummary
	for n := 1; n <= t.kill; n++ {
		k := t.perKill[n]
		if k == nil {
			continue
		}
		if len(k.switches) > 1 {
			sum.extraFailovers += len(k.switches) - 1
			sum.extraAt = append(sum.extraAt, n)
		}
		sum.notElected += k.notElected
		sum.otherAborts += k.otherAborts
	}
	return sum
}

// note appends one record, stamped with the time, to the event log.
func (t *topology) note(rec map[string]any) {
	rec["t"] = time.Now().UnixMilli()
	b, _ := json.Marshal(rec)
	t.eventsMu.Lock()
	defer t.eventsMu.Unlock()
	_, _ = t.events.Write(append(b, '\n'))
}

func (t *topology) sentinelAddrs() []string {
	var out []string
	for _, s := range t.sentinels {
		out = append(out, s.Addr())
	}
	return out
}

// agreedMaster is the master all sentinels report, or an error while they disagree.
func (t *topology) agreedMaster(ctx context.Context) (string, error) {
	var agreed string
	for i, sn := range t.sentinels {
		addr, err := sn.MasterAddr(ctx, t.sclients[i], masterName)
		if err != nil {
			return "", err
		}
		if i > 0 && addr != agreed {
			return "", fmt.Errorf("sentinels disagree: %s and %s", agreed, addr)
		}
		agreed = addr
	}
	if _, ok := t.servers[agreed]; !ok {
		return "", fmt.Errorf("sentinels report %s, which is none of the servers", agreed)
	}
	return agreed, nil
}

// waitSettled waits until the sentinels agree on a master, both other servers replicate it with
// their link up, every sentinel sees 2 ok replicas and 2 other sentinels, and no failover is
// still finishing anywhere (a kill must not land in the previous one's tail): the state each
// kill starts from. It returns the master. The whole condition is judged again on each poll,
// against the master agreed then: stock sentinels sometimes fail over a second time right
// after a failover (see the report), and the wait must follow that master, not the first.
func (t *topology) waitSettled(timeout time.Duration) *redistest.Server {
	var m *redistest.Server
	clients := map[string]*redis.Client{}
	for addr, srv := range t.servers {
		clients[addr] = srv.Client()
	}
	poll.Eventually(t.scope, timeout, "the sentinels to agree on a master that every server follows", func(ctx context.Context) error {
		master, err := t.agreedMaster(ctx)
		if err != nil {
			return err
		}
		m = t.servers[master]
		for addr, c := range clients {
			if addr == master {
				continue
			}
			if err := redistest.ReplicaOnline(ctx, c, m.Process); err != nil {
				return err
			}
		}
		for i, sn := range t.sentinels {
			if err := sn.CheckReady(ctx, t.sclients[i], masterName, m.Process, 2, 2); err != nil {
				return fmt.Errorf("sentinel %d: %w", i, err)
			}
		}
		for i, c := range t.sclients {
			fields, err := c.Master(ctx, masterName).Result()
			if err != nil {
				return fmt.Errorf("sentinel %d: SENTINEL MASTER: %w", i, err)
			}
			if fields["flags"] != "master" {
				return fmt.Errorf("sentinel %d flags the master %q", i, fields["flags"])
			}
		}
		return nil
	})
	return m
}

// restartAsReplica brings a killed server back as a replica of master. It is started with
// `replicaof` in its config so that it never serves as an empty master: a client still trying
// its address would otherwise write to a node that the sentinels are about to demote.
func (t *topology) restartAsReplica(victim, master *redistest.Server) {
	conf := filepath.Join(victim.Dir(), "redis.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.scope.Fatalf("opening %s: %v", conf, err)
	}
	host, port, _ := net.SplitHostPort(master.Addr())
	_, err = fmt.Fprintf(f, "replicaof %s %s\n", host, port)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.scope.Fatalf("appending replicaof to %s: %v", conf, err)
	}
	victim.Restart()
}

// missing returns the acknowledged keys that the master does not hold with their value.
func missing(ctx context.Context, master *redistest.Server, acks []ack) ([]string, error) {
	c := redis.NewClient(&redis.Options{Addr: master.Addr()})
	defer c.Close()
	var out []string
	const batch = 1000
	for i := 0; i < len(acks); i += batch {
		part := acks[i:min(i+batch, len(acks))]
		keys := make([]string, len(part))
		for j, a := range part {
			keys[j] = a.key
		}
		vals, err := c.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("MGET on the final master %s: %w", master.Addr(), err)
		}
		for j, v := range vals {
			if s, ok := v.(string); !ok || s != strconv.FormatInt(part[j].seq, 10) {
				out = append(out, part[j].key)
			}
		}
	}
	return out, nil
}

// forceFailover sends SENTINEL FAILOVER to the sentinels in turn until one accepts it.
func (t *topology) forceFailover() {
	var errs []string
	for i, c := range t.sclients {
		err := c.Failover(context.Background(), masterName).Err()
		if err == nil {
			return
		}
		errs = append(errs, fmt.Sprintf("sentinel %d: %v", i, err))
	}
	t.scope.Fatalf("SENTINEL FAILOVER refused by every sentinel: %s", strings.Join(errs, "; "))
}

package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// ErrNotMonitored is returned when a sentinel does not monitor the asked master name.
var ErrNotMonitored = errors.New("sentinel does not monitor this master name")

// SentinelMaster is one sentinel's view of a monitored master (SENTINEL MASTER <name>).
type SentinelMaster struct {
	Name  string
	IP    string
	Port  int
	Flags []string
	// NumReplicas and NumOtherSentinels are what the sentinel knows, stale entries included;
	// SentinelView's lists say which of them are alive.
	NumReplicas       int
	NumOtherSentinels int
	Quorum            int
	ConfigEpoch       int64
	// The settings the operator manages, to detect drift without touching anything.
	DownAfterMilliseconds int
	FailoverTimeout       int
	ParallelSyncs         int
}

// HasFlag reports whether the sentinel set flag (e.g. "s_down", "o_down", "failover_in_progress").
func (m SentinelMaster) HasFlag(flag string) bool {
	for _, f := range m.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// FailoverInProgress is true while this sentinel runs or follows a failover of the master.
func (m SentinelMaster) FailoverInProgress() bool {
	return m.HasFlag("failover_in_progress") || m.HasFlag("promoted")
}

// SentinelPeer is one entry of SENTINEL REPLICAS or SENTINEL SENTINELS.
type SentinelPeer struct {
	IP    string
	Port  int
	RunID string
	Flags []string
	// MasterLinkOK is a replica's master-link-status as the sentinel last saw it in the replica's
	// INFO; sentinels will not promote a replica they last saw unlinked.
	MasterLinkOK bool
	// Priority is a replica's replica-priority as the sentinel last read it from the replica's
	// INFO (0: never promoted), -1 when the entry carries none (other sentinels).
	Priority int
}

// Down reports the flags with which clients (go-redis, Lettuce, redis-py) drop an entry.
func (p SentinelPeer) Down() bool {
	for _, f := range p.Flags {
		if f == "s_down" || f == "o_down" || f == "disconnected" {
			return true
		}
	}
	return false
}

// SentinelView is everything one sentinel says about one master name.
type SentinelView struct {
	Master    SentinelMaster
	Replicas  []SentinelPeer
	Sentinels []SentinelPeer
}

// SentinelView asks the sentinel at addr for its view of master name: the master, its replicas
// and the other sentinels. ErrNotMonitored if the sentinel does not monitor name.
func (c Client) SentinelView(ctx context.Context, addr, name string) (SentinelView, error) {
	var view SentinelView
	err := c.doSentinel(ctx, addr, func(ctx context.Context, s *goredis.SentinelClient) error {
		fields, err := s.Master(ctx, name).Result()
		if err != nil {
			if isNoSuchMaster(err) {
				return ErrNotMonitored
			}
			return fmt.Errorf("SENTINEL MASTER %s: %w", name, err)
		}
		if view.Master, err = parseSentinelMaster(fields); err != nil {
			return fmt.Errorf("SENTINEL MASTER %s: %w", name, err)
		}
		replicas, err := s.Replicas(ctx, name).Result()
		if err != nil {
			return fmt.Errorf("SENTINEL REPLICAS %s: %w", name, err)
		}
		if view.Replicas, err = parsePeers(replicas); err != nil {
			return fmt.Errorf("SENTINEL REPLICAS %s: %w", name, err)
		}
		sentinels, err := s.Sentinels(ctx, name).Result()
		if err != nil {
			return fmt.Errorf("SENTINEL SENTINELS %s: %w", name, err)
		}
		if view.Sentinels, err = parsePeers(sentinels); err != nil {
			return fmt.Errorf("SENTINEL SENTINELS %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotMonitored) {
			return SentinelView{}, err
		}
		return SentinelView{}, fmt.Errorf("asking sentinel %s about %s: %w", addr, name, err)
	}
	return view, nil
}

// SentinelMonitor makes the sentinel at addr monitor master name at host:port, then sets options
// (auth-pass among them, so the sentinel can reach the nodes). It is only for sentinels that do
// not monitor name at all: re-monitoring a known name would throw away the sentinel's epochs and
// knowledge (the reset loop peers suffer from).
func (c Client) SentinelMonitor(ctx context.Context, addr, name, host string, port, quorum int, options []SentinelOption) error {
	err := c.doSentinel(ctx, addr, func(ctx context.Context, sc *goredis.SentinelClient) error {
		if err := sc.Monitor(ctx, name, host, strconv.Itoa(port), strconv.Itoa(quorum)).Err(); err != nil {
			if strings.Contains(err.Error(), "Duplicate master name") {
				// It monitors the name by now: it found the master by itself (discovery)
				// between the observation and this call. The next reconcile compares its
				// master and options like any other sentinel's.
				return nil
			}
			return fmt.Errorf("SENTINEL MONITOR %s %s %d %d: %w", name, host, port, quorum, err)
		}
		return setOptions(ctx, sc, name, options)
	})
	if err != nil {
		return fmt.Errorf("configuring sentinel %s: %w", addr, err)
	}
	return nil
}

// SentinelSet changes options of a master the sentinel already monitors, without a reset. Pass
// only options that differ from the sentinel's: Redis's sentinel drops and re-opens its links to
// every node of the master on some changes (auth-pass among them), so setting them on every
// reconcile would keep the sentinels half-blind.
func (c Client) SentinelSet(ctx context.Context, addr, name string, options []SentinelOption) error {
	err := c.doSentinel(ctx, addr, func(ctx context.Context, sc *goredis.SentinelClient) error {
		return setOptions(ctx, sc, name, options)
	})
	if err != nil {
		return fmt.Errorf("configuring sentinel %s: %w", addr, err)
	}
	return nil
}

// SentinelOption is one `SENTINEL SET <name> <option> <value>` pair.
type SentinelOption struct{ Name, Value string }

func setOptions(ctx context.Context, sc *goredis.SentinelClient, name string, options []SentinelOption) error {
	for _, o := range options {
		args := []any{"sentinel", "set", name, o.Name}
		if o.Name == "rename-command" {
			// Two arguments: the command and its new name.
			from, to, _ := strings.Cut(o.Value, " ")
			args = append(args, from, to)
		} else {
			args = append(args, o.Value)
		}
		cmd := goredis.NewStatusCmd(ctx, args...)
		_ = sc.Process(ctx, cmd)
		if err := cmd.Err(); err != nil {
			// The option name only: auth-pass's value must never reach a log.
			return fmt.Errorf("SENTINEL SET %s %s: %w", name, o.Name, err)
		}
	}
	return nil
}

// SentinelRemove makes the sentinel at addr forget master name. Only for a sentinel stuck on an
// address no pod has, right before it is told the current master.
func (c Client) SentinelRemove(ctx context.Context, addr, name string) error {
	err := c.doSentinel(ctx, addr, func(ctx context.Context, sc *goredis.SentinelClient) error {
		return sc.Remove(ctx, name).Err()
	})
	if err != nil && !isNoSuchMaster(err) {
		return fmt.Errorf("SENTINEL REMOVE %s on %s: %w", name, addr, err)
	}
	return nil
}

// SentinelFailover asks the sentinel at addr to fail master name over to the best replica. The
// sentinels pick the replica (priority, then offset) so the operator never contradicts them.
func (c Client) SentinelFailover(ctx context.Context, addr, name string) error {
	err := c.doSentinel(ctx, addr, func(ctx context.Context, sc *goredis.SentinelClient) error {
		return sc.Failover(ctx, name).Err()
	})
	if err != nil {
		return fmt.Errorf("SENTINEL FAILOVER %s on %s: %w", name, addr, err)
	}
	return nil
}

func (c Client) doSentinel(ctx context.Context, addr string, fn func(ctx context.Context, s *goredis.SentinelClient) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	s := goredis.NewSentinelClient(c.options(addr))
	defer func() { _ = s.Close() }()
	return fn(ctx, s)
}

func isNoSuchMaster(err error) bool {
	return strings.Contains(err.Error(), "No such master with that name")
}

func parseSentinelMaster(f map[string]string) (SentinelMaster, error) {
	p := fieldParser{fields: f}
	m := SentinelMaster{
		Name:              f["name"],
		IP:                f["ip"],
		Port:              p.requiredInt("port"),
		Flags:             splitFlags(f["flags"]),
		NumReplicas:       p.requiredInt("num-slaves"),
		NumOtherSentinels: p.requiredInt("num-other-sentinels"),
		Quorum:            p.requiredInt("quorum"),
		ConfigEpoch:       p.optionalInt64("config-epoch", 0),

		DownAfterMilliseconds: p.requiredInt("down-after-milliseconds"),
		FailoverTimeout:       p.requiredInt("failover-timeout"),
		ParallelSyncs:         p.requiredInt("parallel-syncs"),
	}
	return m, p.err
}

func parsePeers(entries []map[string]string) ([]SentinelPeer, error) {
	peers := make([]SentinelPeer, 0, len(entries))
	for _, f := range entries {
		p := fieldParser{fields: f}
		peer := SentinelPeer{IP: f["ip"], Port: p.requiredInt("port"), RunID: f["runid"], Flags: splitFlags(f["flags"]),
			MasterLinkOK: f["master-link-status"] == "ok", Priority: int(p.optionalInt64("slave-priority", -1))}
		if p.err != nil {
			return nil, p.err
		}
		peers = append(peers, peer)
	}
	return peers, nil
}

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// SentinelEvent is one event a sentinel published (+switch-master, +sdown, ...).
type SentinelEvent struct {
	Channel string
	Payload string
}

// FollowSentinel subscribes to channels on the sentinel at addr and calls fn for every event
// until ctx ends. go-redis re-dials and re-subscribes a broken connection by itself, so a
// sentinel that restarts is followed again once it is back.
func (c Client) FollowSentinel(ctx context.Context, addr string, channels []string, fn func(SentinelEvent)) {
	opts := c.options(addr)
	// The subscription is long-lived: only dialing is bounded, reads wait for the next event
	// (go-redis pings the connection to notice a dead peer).
	opts.ReadTimeout = -1
	sc := goredis.NewSentinelClient(opts)
	defer func() { _ = sc.Close() }()
	ps := sc.Subscribe(ctx, channels...)
	defer func() { _ = ps.Close() }()
	messages := ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-messages:
			if !ok {
				return
			}
			fn(SentinelEvent{Channel: msg.Channel, Payload: msg.Payload})
		}
	}
}

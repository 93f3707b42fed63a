package server

import (
	"bufio"
	"bytes"
	"slices"
	"sync"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// pubsub is the registry of channel and pattern subscriptions. Subscription changes hold the
// write lock while queueing their confirmation, and publishing holds the read lock while queueing
// messages, so each client sees confirmations and messages in the order redis would send them
// (no message for a channel before its "subscribe" reply, none after its "unsubscribe").
type pubsub struct {
	mu       sync.RWMutex
	channels map[string]map[*conn]struct{}
	patterns map[string]map[*conn]struct{}
}

func newPubSub() pubsub {
	return pubsub{
		channels: make(map[string]map[*conn]struct{}),
		patterns: make(map[string]map[*conn]struct{}),
	}
}

// counts returns the number of channels and patterns with at least one subscriber (INFO
// pubsub_channels and pubsub_patterns).
func (ps *pubsub) counts() (channels, patterns int) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	return len(ps.channels), len(ps.patterns)
}

func (ps *pubsub) publish(s *Server, channel, message string) {
	var slow []*conn
	limit := s.opts.PubSubBacklog
	// One encoding per protocol, shared by every subscriber of the channel.
	var frames [4][]byte
	frameFor := func(c *conn, build func() resp.Value) []byte {
		p := c.proto.Load()
		if frames[p] == nil {
			frames[p] = encodeValue(build(), int(p))
		}
		return frames[p]
	}
	ps.mu.RLock()
	for c := range ps.channels[channel] {
		frame := frameFor(c, func() resp.Value {
			return resp.Push(resp.Bulk("message"), resp.Bulk(channel), resp.Bulk(message))
		})
		if !c.out.pushMessage(frame, limit) {
			slow = append(slow, c)
		}
	}
	for pattern, subscribers := range ps.patterns {
		if !stringMatch(pattern, channel) {
			continue
		}
		var pframes [4][]byte
		for c := range subscribers {
			p := c.proto.Load()
			if pframes[p] == nil {
				pframes[p] = encodeValue(resp.Push(resp.Bulk("pmessage"), resp.Bulk(pattern), resp.Bulk(channel), resp.Bulk(message)), int(p))
			}
			if !c.out.pushMessage(pframes[p], limit) {
				slow = append(slow, c)
			}
		}
	}
	ps.mu.RUnlock()
	for _, c := range slow {
		s.log.Info("Disconnecting a subscriber that does not read its messages (pub/sub backlog limit reached)",
			"id", c.id, "addr", c.addr, "limitBytes", limit)
		c.kill()
	}
}

// encodeValue renders v for a connection speaking proto.
func encodeValue(v resp.Value, proto int) []byte {
	var buf bytes.Buffer
	// A small buffer: messages are ~100 bytes and longer ones spill into buf directly.
	w := resp.NewWriter(bufio.NewWriterSize(&buf, 128))
	// Writes to a bytes.Buffer cannot fail.
	_ = w.WriteValue(v, proto)
	_ = w.Flush()
	return buf.Bytes()
}

// subscriptionReply is the confirmation redis sends per channel or pattern: a push in RESP3,
// an array in RESP2. A nil name (UNSUBSCRIBE with nothing subscribed) is a null.
func subscriptionReply(kind string, name *string, count int) resp.Value {
	n := resp.Null()
	if name != nil {
		n = resp.Bulk(*name)
	}
	return resp.Push(resp.Bulk(kind), n, resp.Int(int64(count)))
}

func (c *conn) subscriptionCount() int { return len(c.channels) + len(c.patterns) }

// pushConfirmation queues a confirmation without waiting (the registry lock is held); the
// serve goroutine writes it with its other replies.
func (c *conn) pushConfirmation(v resp.Value) {
	c.out.pushReply(c.encode(v))
}

func (c *conn) cmdSubscribe(args []string) {
	c.subscribe(args[1:], false)
}

func (c *conn) cmdPSubscribe(args []string) {
	c.subscribe(args[1:], true)
}

func (c *conn) subscribe(names []string, pattern bool) {
	ps := &c.s.pubsub
	kind, registry, mine := "subscribe", ps.channels, &c.channels
	if pattern {
		kind, registry, mine = "psubscribe", ps.patterns, &c.patterns
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, name := range names {
		if !slices.Contains(*mine, name) {
			*mine = append(*mine, name)
			subs := registry[name]
			if subs == nil {
				subs = make(map[*conn]struct{})
				registry[name] = subs
			}
			subs[c] = struct{}{}
		}
		c.storeCounts()
		c.pushConfirmation(subscriptionReply(kind, &name, c.subscriptionCount()))
	}
}

func (c *conn) cmdUnsubscribe(args []string) {
	c.unsubscribe(args[1:], false)
}

func (c *conn) cmdPUnsubscribe(args []string) {
	c.unsubscribe(args[1:], true)
}

// unsubscribe removes the named subscriptions, or all of them when names is empty, confirming
// each; with nothing to remove it confirms once with a null name, as redis does.
func (c *conn) unsubscribe(names []string, pattern bool) {
	ps := &c.s.pubsub
	kind, registry, mine := "unsubscribe", ps.channels, &c.channels
	if pattern {
		kind, registry, mine = "punsubscribe", ps.patterns, &c.patterns
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(names) == 0 {
		if len(*mine) == 0 {
			c.pushConfirmation(subscriptionReply(kind, nil, c.subscriptionCount()))
			return
		}
		names = slices.Clone(*mine)
	}
	for _, name := range names {
		if i := slices.Index(*mine, name); i >= 0 {
			*mine = slices.Delete(*mine, i, i+1)
			removeSubscriber(registry, name, c)
		}
		c.storeCounts()
		c.pushConfirmation(subscriptionReply(kind, &name, c.subscriptionCount()))
	}
}

func removeSubscriber(registry map[string]map[*conn]struct{}, name string, c *conn) {
	if subs := registry[name]; subs != nil {
		delete(subs, c)
		if len(subs) == 0 {
			delete(registry, name)
		}
	}
}

func (c *conn) storeCounts() {
	c.nSubs.Store(int32(len(c.channels)))
	c.nPSubs.Store(int32(len(c.patterns)))
}

// removeAll drops every subscription of a disconnecting client.
func (ps *pubsub) removeAll(c *conn) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, name := range c.channels {
		removeSubscriber(ps.channels, name, c)
	}
	for _, name := range c.patterns {
		removeSubscriber(ps.patterns, name, c)
	}
	c.channels, c.patterns = nil, nil
	c.storeCounts()
}

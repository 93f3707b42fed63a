package sentinel

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// world is a deterministic stand-in for the network in unit tests of the pure state machine:
// fake Redis instances and fake peer sentinels answer the commands the state emits, and time
// only moves when the test says so. (Integration tests run real redis-server processes.)
type world struct {
	t      *testing.T
	s      *State
	now    time.Time
	redis  map[string]*fakeRedis
	peers  map[string]*fakePeer
	events []Event
	sent   []Command
}

type fakeRedis struct {
	addr       Addr
	runID      string
	alive      bool
	master     *Addr // nil: role master
	linkUp     bool
	offset     int64
	priority   int
	promotions int
}

type fakePeer struct {
	addr  Addr
	runID string
	down  bool   // what it answers to is-master-down-by-addr
	vote  string // runid it votes for ("" : votes for the requester)
	voted map[uint64]string
}

func newWorld(t *testing.T, quorum int, downAfter time.Duration) *world {
	t.Helper()
	w := &world{
		t:     t,
		now:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		redis: map[string]*fakeRedis{},
		peers: map[string]*fakePeer{},
	}
	w.s = NewState(GlobalConfig{MyID: strings.Repeat("a", 40), Port: 26379}, DefaultParams(), 1)
	if _, err := w.s.AddMaster(MasterConfig{Name: "mymaster", Addr: Addr{"127.0.0.1", 6379}, Quorum: quorum,
		DownAfter: downAfter, FailoverTimeout: 10 * time.Second}, w.now); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) addRedis(port int, master *Addr, priority int, offset int64) *fakeRedis {
	r := &fakeRedis{addr: Addr{"127.0.0.1", port}, runID: fmt.Sprintf("%040d", port), alive: true,
		master: master, linkUp: master != nil, priority: priority, offset: offset}
	w.redis[r.addr.String()] = r
	return r
}

func (w *world) addPeer(port int, runID string) *fakePeer {
	p := &fakePeer{addr: Addr{"127.0.0.1", port}, runID: runID, voted: map[uint64]string{}}
	w.peers[p.addr.String()] = p
	return p
}

// connectAll reports every target's link up.
func (w *world) connectAll() {
	for _, t := range w.s.Targets() {
		if w.reachable(t.Addr) {
			w.run(w.s.LinkUp(t.Addr, w.now))
			if !t.Sentinel {
				w.s.PubSubUp(t.Addr, w.now)
			}
		}
	}
}

func (w *world) reachable(a Addr) bool {
	if r, ok := w.redis[a.String()]; ok {
		return r.alive
	}
	_, ok := w.peers[a.String()]
	return ok
}

// run applies effects: records events and answers commands, recursively.
func (w *world) run(e Effects) {
	w.events = append(w.events, e.Events...)
	for _, c := range e.Commands {
		w.sent = append(w.sent, c)
		v, err := w.answer(c)
		if c.Op == OpReconnect {
			continue
		}
		w.run(w.s.HandleReply(c, v, err, w.now))
	}
}

func (w *world) answer(c Command) (resp.Value, error) {
	if p, ok := w.peers[c.Addr.String()]; ok {
		switch c.Op {
		case OpAskMasterDown:
			down := int64(0)
			if p.down {
				down = 1
			}
			leader := "*"
			if c.RunID != "*" {
				if _, ok := p.voted[c.Epoch]; !ok {
					p.voted[c.Epoch] = c.RunID
					if p.vote != "" {
						p.voted[c.Epoch] = p.vote
					}
				}
				leader = p.voted[c.Epoch]
			}
			return resp.Array(resp.Int(down), resp.Bulk(leader), resp.Int(int64(c.Epoch))), nil
		default:
			return resp.Simple("PONG"), nil
		}
	}
	r, ok := w.redis[c.Addr.String()]
	if !ok || !r.alive {
		return resp.Value{}, fmt.Errorf("connection refused")
	}
	switch c.Op {
	case OpPing:
		return resp.Simple("PONG"), nil
	case OpInfo:
		return resp.Bulk(w.infoText(r)), nil
	case OpPromote:
		r.master = nil
		r.promotions++
		return resp.Array(), nil
	case OpReplicaOf:
		t := c.Target
		r.master = &t
		r.linkUp = w.redis[t.String()] != nil && w.redis[t.String()].alive
		return resp.Array(), nil
	}
	return resp.OK(), nil
}

func (w *world) infoText(r *fakeRedis) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Server\r\nrun_id:%s\r\ntcp_port:%d\r\n# Replication\r\n", r.runID, r.addr.Port)
	if r.master == nil {
		b.WriteString("role:master\r\n")
		i := 0
		for _, o := range w.sortedRedis() {
			if o.master != nil && *o.master == r.addr && o.alive {
				fmt.Fprintf(&b, "slave%d:ip=%s,port=%d,state=online,offset=%d,lag=0\r\n", i, o.addr.Host, o.addr.Port, o.offset)
				i++
			}
		}
		fmt.Fprintf(&b, "master_repl_offset:%d\r\n", r.offset)
	} else {
		up := "down"
		if m := w.redis[r.master.String()]; m != nil && m.alive && m.master == nil {
			up = "up"
		}
		fmt.Fprintf(&b, "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\n", r.master.Host, r.master.Port, up)
		fmt.Fprintf(&b, "slave_repl_offset:%d\r\nslave_priority:%d\r\nreplica_announced:1\r\n", r.offset, r.priority)
	}
	return b.String()
}

func (w *world) sortedRedis() []*fakeRedis {
	var out []*fakeRedis
	for _, port := range []int{6379, 6380, 6381, 6382, 6383} {
		if r, ok := w.redis[Addr{"127.0.0.1", port}.String()]; ok {
			out = append(out, r)
		}
	}
	return out
}

// advance moves time forward in 100 ms ticks.
func (w *world) advance(d time.Duration) {
	for end := w.now.Add(d); w.now.Before(end); {
		w.now = w.now.Add(100 * time.Millisecond)
		w.run(w.s.Tick(w.now))
	}
}

// kill makes r unreachable, as SIGKILL does: its links drop.
func (w *world) kill(r *fakeRedis) {
	r.alive = false
	w.run(w.s.LinkDown(r.addr, w.now))
}

func (w *world) eventCount(typ string) int {
	n := 0
	for _, e := range w.events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (w *world) event(typ string) (Event, bool) {
	for _, e := range w.events {
		if e.Type == typ {
			return e, true
		}
	}
	return Event{}, false
}

func (w *world) masterAddr() Addr {
	v, _ := w.s.Command([]string{"get-master-addr-by-name", "mymaster"}, w.now)
	if len(v.Elems) != 2 {
		w.t.Fatalf("get-master-addr-by-name: %+v", v)
	}
	var port int
	fmt.Sscan(v.Elems[1].Str, &port)
	return Addr{v.Elems[0].Str, port}
}

func (w *world) eventCountIn(e Effects, typ string) int {
	n := 0
	for _, ev := range e.Events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

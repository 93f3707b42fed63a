package sentinel

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// The engine replaces a link when what it needs from the connection changes. The replaced
// link's goroutines report until they notice the stop, and with real connections nothing
// orders those late reports after its successor's: TestAuthPassAfterMonitorKeepsMasterConnected
// hits that race with real redis-server processes now and then. Here the links run no
// goroutines (a stand-in for the network, so that the test plays their reports itself), and
// every replacement path gets the worst order: the new link reports up first, then the old one
// reports a failed command and down.

var (
	linkTestMaster  = Addr{Host: "127.0.0.1", Port: 6379}
	linkTestReplica = Addr{Host: "127.0.0.1", Port: 6380}
)

// openIdleLink stands in for startLink: a link the engine can send to and compare, whose
// reports come only from the test.
func openIdleLink(ctx context.Context, host linkHost, t Target) *instanceLink {
	_, cancel := context.WithCancel(ctx)
	return &instanceLink{target: t, host: host, out: make(chan Command, maxInFlight), cancel: cancel}
}

type linkTestEngine struct {
	*Engine
	t   *testing.T
	now time.Time
}

// newLinkTestEngine monitors a master with one known replica, every link up.
func newLinkTestEngine(t *testing.T) *linkTestEngine {
	t.Helper()
	te := &linkTestEngine{t: t, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := NewState(GlobalConfig{MyID: strings.Repeat("a", 40), Port: 26379}, DefaultParams(), 1)
	if _, err := s.AddMaster(MasterConfig{Name: "mymaster", Addr: linkTestMaster, Quorum: 1,
		DownAfter: 5 * time.Second}, te.now); err != nil {
		t.Fatal(err)
	}
	if err := s.AddKnownReplica("mymaster", linkTestReplica, te.now); err != nil {
		t.Fatal(err)
	}
	te.Engine = NewEngine(s, EngineOptions{Log: logr.Discard(), Clock: func() time.Time { return te.now }})
	te.openLink = openIdleLink
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	te.attach(ctx)
	for _, a := range []Addr{linkTestMaster, linkTestReplica} {
		te.linkUp(te.linkTo(a))
		te.pubsubUp(te.linkTo(a))
	}
	return te
}

func (te *linkTestEngine) linkTo(a Addr) *instanceLink {
	te.t.Helper()
	te.mu.Lock()
	defer te.mu.Unlock()
	l := te.links[a.String()]
	if l == nil {
		te.t.Fatalf("the engine has no link to %s", a)
	}
	return l
}

func (te *linkTestEngine) sentinel(args ...string) {
	te.t.Helper()
	if v := te.Sentinel(args); !IsOK(v) {
		te.t.Fatalf("SENTINEL %s: %+v", strings.Join(args, " "), v)
	}
}

// tick runs the timer once, as Run does.
func (te *linkTestEngine) tick() {
	te.mu.Lock()
	defer te.mu.Unlock()
	te.apply(te.state.Tick(te.now))
}

// view is the instance at a as SENTINEL MASTER/REPLICAS show it: flags and pending commands.
func (te *linkTestEngine) view(a Addr) (flags string, pending int) {
	te.t.Helper()
	te.View(func(s *State) {
		_, inst := s.anyInstanceAt(a)
		if inst == nil {
			te.t.Fatalf("no instance at %s", a)
		}
		l := s.links[a.String()]
		flags, pending = inst.flagsString(l), l.pending
	})
	return flags, pending
}

// drain empties l's queue and returns the operations queued.
func drain(l *instanceLink) []Op {
	var ops []Op
	for {
		select {
		case c := <-l.out:
			ops = append(ops, c.Op)
		default:
			return ops
		}
	}
}

func TestReplacedLinkReportsAreIgnored(t *testing.T) {
	masterInfo := "# Replication\r\nrole:master\r\nconnected_slaves:1\r\n" +
		"slave0:ip=127.0.0.1,port=6380,state=online,offset=0,lag=0\r\nmaster_repl_offset:0\r\n"
	cases := []struct {
		name    string
		addr    Addr   // whose link gets replaced
		flags   string // the instance's flags with its link up
		replace func(te *linkTestEngine)
	}{
		{"auth-pass set after MONITOR", linkTestMaster, "master", func(te *linkTestEngine) {
			te.sentinel("SET", "mymaster", "auth-pass", "secret")
		}},
		{"rename-command changed", linkTestMaster, "master", func(te *linkTestEngine) {
			te.sentinel("SET", "mymaster", "rename-command", "PING", "PING-RENAMED")
		}},
		{"master removed and monitored again", linkTestMaster, "master", func(te *linkTestEngine) {
			te.sentinel("REMOVE", "mymaster")
			te.sentinel("MONITOR", "mymaster", linkTestMaster.Host, "6379", "1")
		}},
		{"replica forgotten by SENTINEL RESET and found again", linkTestReplica, "slave", func(te *linkTestEngine) {
			if v := te.Sentinel([]string{"RESET", "mymaster"}); v.Int != 1 {
				te.t.Fatalf("SENTINEL RESET mymaster: %+v", v)
			}
			// The master's INFO lists the replica again.
			info := Command{Op: OpInfo, Master: "mymaster", Role: RoleMaster, Addr: linkTestMaster}
			te.reply(te.linkTo(linkTestMaster), info, resp.Bulk(masterInfo), nil)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			te := newLinkTestEngine(t)
			old := te.linkTo(tc.addr)
			tc.replace(te)
			successor := te.linkTo(tc.addr)
			if successor == old {
				t.Fatalf("the link to %s was not replaced", tc.addr)
			}
			te.linkUp(successor)
			te.pubsubUp(successor)
			if ops := drain(successor); len(ops) == 0 || ops[0] != OpPing {
				t.Fatalf("the new link's up queued %v, want a PING first", ops)
			}
			flagsUp, pendingUp := te.view(tc.addr)
			if flagsUp != tc.flags {
				t.Fatalf("flags %q after the new link's up, want %q", flagsUp, tc.flags)
			}

			// The replaced link's goroutines catch up: the PING it had in flight fails, its
			// pubsub link confirms a subscription, and its cmd loop reports down.
			ping := Command{Op: OpPing, Master: "mymaster", Role: RoleMaster, Addr: tc.addr}
			if tc.addr == linkTestReplica {
				ping.Role = RoleReplica
			}
			te.reply(old, ping, resp.Value{}, errors.New("link closed"))
			te.pubsubActive(old)
			te.pubsubDown(old)
			te.linkDown(old)

			flags, pending := te.view(tc.addr)
			if flags != tc.flags {
				t.Errorf("flags %q after the replaced link's late reports, want %q", flags, tc.flags)
			}
			if pending != pendingUp {
				t.Errorf("%d pending commands after the replaced link's late reports, want the new link's %d", pending, pendingUp)
			}
			// Still up means still in use: the next PING goes out on the new link.
			te.now = te.now.Add(1500 * time.Millisecond)
			te.tick()
			if ops := drain(successor); !containsOp(ops, OpPing) {
				t.Errorf("the tick after the late reports queued %v on the new link, want a PING", ops)
			}

			// The new link's own reports still count.
			te.linkDown(successor)
			if flags, _ := te.view(tc.addr); flags != tc.flags+",disconnected" {
				t.Errorf("flags %q after the new link's down, want %q", flags, tc.flags+",disconnected")
			}
		})
	}
}

func containsOp(ops []Op, op Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

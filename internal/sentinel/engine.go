package sentinel

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// Publisher delivers events to pub/sub subscribers (server.Publisher satisfies it).
type Publisher interface {
	Publish(channel, message string)
}

// Store persists the sentinel's state (the config file rewrite).
type Store interface {
	Save(s *State) error
}

// Clock is the engine's time source; tests of the runtime may inject one.
type Clock func() time.Time

// Engine runs a State: it feeds it timer ticks and the replies of its links, and carries out
// the resulting effects. Its exported methods are what server.Backend needs (the binary adapts
// them), so this package does not depend on the network front.
type Engine struct {
	log       logr.Logger
	now       Clock
	store     Store
	publisher Publisher
	exit      func(code int)

	mu    sync.Mutex
	state *State
	// links holds the one live link per address; only its reports reach the state.
	links map[string]*instanceLink
	ctx   context.Context
	kick  chan struct{}
	// openLink is startLink; the unit tests swap in links without goroutines, to play the
	// links' reports in an order of their choosing.
	openLink func(ctx context.Context, host linkHost, t Target) *instanceLink

	scripts *scriptRunner
	// probeWaiters are the replies waiting for a probe PING of a master to be answered, by
	// address (awaitMastersAnswer).
	probeWaiters map[string][]chan struct{}
	// metrics counts what the Prometheus collector cannot read from the state (metrics.go).
	metrics engineMetrics
}

// EngineOptions wires an Engine.
type EngineOptions struct {
	Log       logr.Logger
	Clock     Clock // default time.Now
	Store     Store
	Publisher Publisher
	// Exit ends the process (SENTINEL SIMULATE-FAILURE); default: log only.
	Exit func(code int)
}

// NewEngine wraps state; call Run to start monitoring.
func NewEngine(state *State, opts EngineOptions) *Engine {
	e := &Engine{
		log: opts.Log, now: opts.Clock, store: opts.Store, publisher: opts.Publisher, exit: opts.Exit,
		state: state, links: map[string]*instanceLink{}, kick: make(chan struct{}, 1), openLink: startLink,
		probeWaiters: map[string][]chan struct{}{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.scripts = newScriptRunner(e.log.WithName("scripts"), func() time.Duration {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.state.Params.ScriptMaxRuntime
	}, func() string {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.state.Global.Dir
	}, func(typ, msg string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.apply(Effects{Events: []Event{{Type: typ, Msg: msg, Warning: true}}})
	})
	return e
}

// SetPublisher connects the engine to the server's pub/sub (the server needs the engine first).
func (e *Engine) SetPublisher(p Publisher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.publisher = p
}

// Run ticks the state machine until ctx ends, then closes every link.
func (e *Engine) Run(ctx context.Context) {
	e.attach(ctx)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			e.mu.Lock()
			for k, l := range e.links {
				l.stop()
				delete(e.links, k)
			}
			e.mu.Unlock()
			return
		case <-timer.C:
		case <-e.kick:
			timer.Stop()
		}
		e.mu.Lock()
		e.apply(e.state.Tick(e.now()))
		next := e.state.TickInterval()
		e.mu.Unlock()
		timer.Reset(next)
	}
}

// attach opens the links the state needs; links live until ctx ends or the state drops them.
// Like sentinelIsRunning, it announces every configured master with +monitor (logged, and
// run through its notification-script).
func (e *Engine) attach(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ctx = ctx
	e.reconcileLinks()
	e.apply(e.state.MonitorEvents())
}

// kickTimer makes the run loop tick now (the failover needs a faster tick).
func (e *Engine) kickTimer() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// apply carries out effects; e.mu is held.
func (e *Engine) apply(eff Effects) {
	if len(eff.Commands) == 0 && len(eff.Events) == 0 && len(eff.Scripts) == 0 && !eff.Persist && eff.Exit == 0 {
		// Queries (SENTINEL get-master-addr-by-name, polled by clients) change nothing: skip
		// the link reconciliation. Every state change that adds or drops an instance persists.
		return
	}
	if eff.Persist {
		e.persist()
	}
	for _, ev := range eff.Events {
		e.log.Info(ev.Type+" "+ev.Msg, "event", ev.Type)
		e.metrics.countEvent(ev)
		if e.publisher != nil {
			e.publisher.Publish(ev.Type, ev.Msg)
		}
	}
	for _, sc := range eff.Scripts {
		e.scripts.schedule(sc)
	}
	e.reconcileLinks()
	type failure struct {
		cmd Command
		err error
	}
	var failed []failure
	for _, c := range eff.Commands {
		l := e.links[c.Addr.String()]
		if l == nil {
			// An address no instance references any more (for example the unpause of an old
			// master dropped by a reset) gets a short-lived link of its own.
			if c.Op == OpUnpause || c.Op == OpReplicaOf {
				e.oneShot(c)
				continue
			}
			failed = append(failed, failure{c, fmt.Errorf("no link to %s", c.Addr)})
			continue
		}
		if c.Op == OpReconnect {
			l.reconnect()
			continue
		}
		if !l.send(c) {
			failed = append(failed, failure{c, errLinkQueueFull})
		}
	}
	// Commands that never left are failed here, under the same lock, rather than from a
	// goroutine whose report could land after the link's next up or down.
	for _, f := range failed {
		e.handleReply(f.cmd, resp.Value{}, f.err)
	}
	if e.state.TickInterval() < 100*time.Millisecond {
		e.kickTimer()
	}
	if eff.Exit != 0 {
		e.log.Info("exiting as asked by SENTINEL SIMULATE-FAILURE", "code", eff.Exit)
		if e.exit != nil {
			e.exit(eff.Exit)
		}
	}
}

func (e *Engine) oneShot(c Command) {
	if e.ctx == nil {
		return
	}
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	l := startLink(ctx, oneShotHost{e, cancel}, Target{Addr: c.Addr, Sentinel: true})
	l.send(c) // the first command on a new link: the queue has room
}

// oneShotHost ends its link after the first reply.
type oneShotHost struct {
	*Engine
	cancel context.CancelFunc
}

func (h oneShotHost) linkUp(*instanceLink)     {}
func (h oneShotHost) linkDown(*instanceLink)   {}
func (h oneShotHost) pubsubUp(*instanceLink)   {}
func (h oneShotHost) pubsubDown(*instanceLink) {}
func (h oneShotHost) reply(_ *instanceLink, cmd Command, v resp.Value, err error) {
	h.Engine.log.V(1).Info("one-shot command done", "op", cmd.Op.String(), "addr", cmd.Addr.String(), "error", err)
	h.cancel()
}

func (e *Engine) persist() {
	if e.store == nil {
		return
	}
	if err := e.store.Save(e.state); err != nil {
		e.log.Error(err, "saving sentinel state to the config file")
	}
}

// reconcileLinks opens links to new targets and closes those no longer needed; e.mu is held.
func (e *Engine) reconcileLinks() {
	if e.ctx == nil {
		return
	}
	want := map[string]Target{}
	for _, t := range e.state.Targets() {
		want[t.Addr.String()] = t
	}
	for k, l := range e.links {
		t, ok := want[k]
		if !ok || !sameTarget(t, l.target) {
			l.stop()
			delete(e.links, k)
			e.state.LinkDown(l.target.Addr, e.now())
			e.state.PubSubDown(l.target.Addr)
		}
	}
	for k, t := range want {
		if _, ok := e.links[k]; !ok {
			e.links[k] = e.openLink(e.ctx, e, t)
		}
	}
}

func sameTarget(a, b Target) bool {
	if a.Addr != b.Addr || a.Sentinel != b.Sentinel || a.AuthUser != b.AuthUser || a.AuthPass != b.AuthPass ||
		len(a.Renames) != len(b.Renames) {
		return false
	}
	for k, v := range a.Renames {
		if b.Renames[k] != v {
			return false
		}
	}
	return true
}

// linkHost implementation: called from link goroutines.

// current reports whether from is the engine's link to its address; e.mu is held. Reports of a
// stopped link are dropped: the state already counted that link down when it was replaced
// (reconcileLinks), and its late "down" would otherwise mark the successor's healthy
// connection down for good (no PING or INFO goes to a link believed down, so nothing would
// bring it back). sentinel.c does the same by clearing a closed hiredis context's data, which
// every callback checks first.
func (e *Engine) current(from *instanceLink) bool {
	return e.links[from.target.Addr.String()] == from
}

func (e *Engine) linkUp(from *instanceLink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.apply(e.state.LinkUp(from.target.Addr, e.now()))
}

func (e *Engine) linkDown(from *instanceLink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.apply(e.state.LinkDown(from.target.Addr, e.now()))
}

// reply takes the reply to a command from the link that sent it. A stopped link's replies are
// dropped too: the state reset the address's pending count when it counted that link down, so
// they would be taken off its successor's count.
func (e *Engine) reply(from *instanceLink, cmd Command, v resp.Value, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		e.log.V(2).Info("dropping the reply of a replaced link", "op", cmd.Op.String(), "addr", cmd.Addr.String())
		return
	}
	e.handleReply(cmd, v, err)
}

// handleReply applies a reply or a failure; e.mu is held.
func (e *Engine) handleReply(cmd Command, v resp.Value, err error) {
	if err != nil {
		e.log.V(2).Info("command failed", "op", cmd.Op.String(), "addr", cmd.Addr.String(), "error", err.Error())
	}
	e.observeReply(cmd, err)
	e.apply(e.state.HandleReply(cmd, v, err, e.now()))
	if cmd.Probe {
		e.releaseProbeWaiters(cmd.Addr)
	}
}

// releaseProbeWaiters lets every reply waiting on a probe of addr go on; e.mu is held.
func (e *Engine) releaseProbeWaiters(addr Addr) {
	k := addr.String()
	for _, ch := range e.probeWaiters[k] {
		close(ch)
	}
	delete(e.probeWaiters, k)
}

func (e *Engine) hello(from *instanceLink, payload string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.apply(e.state.HandleHello(payload, from.target.Addr, e.now()))
}

func (e *Engine) pubsubUp(from *instanceLink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.state.PubSubUp(from.target.Addr, e.now())
}

func (e *Engine) pubsubDown(from *instanceLink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.state.PubSubDown(from.target.Addr)
}

func (e *Engine) pubsubActive(from *instanceLink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.current(from) {
		return
	}
	e.state.PubSubActivity(from.target.Addr, e.now())
}

func (e *Engine) clientName(kind string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.state.Global.MyID
	if len(id) > 8 {
		id = id[:8]
	}
	return "sentinel-" + id + "-" + kind
}

// reconnectDelay throttles reconnections; sentinel.c allows one per ping period, and so does
// this engine, with its faster ping period: a master whose container restarts in place is
// seen (and its reboot noticed) within that period of listening again, not up to 1 s later.
func (e *Engine) reconnectDelay() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.state.Params.PingPeriod
	for _, m := range e.state.Masters {
		d = min(d, e.state.pingPeriod(m))
	}
	return d
}

// What the network front needs (server.Backend, through a small adapter in the binary).

// RunID is the sentinel's myid.
func (e *Engine) RunID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.Global.MyID
}

// Sentinel answers a SENTINEL subcommand. State changes are persisted before the reply (a
// vote in particular).
func (e *Engine) Sentinel(args []string) resp.Value {
	if len(args) == 1 && strings.EqualFold(args[0], "pending-scripts") {
		return e.scripts.pending()
	}
	if name, ok := reportsMasterFlags(args); ok {
		e.awaitMastersAnswer(name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.noticeClosedLinks()
	v, eff := e.state.Command(args, e.now())
	if eff.Persist && e.store != nil {
		if err := e.store.Save(e.state); err != nil {
			e.log.Error(err, "saving sentinel state to the config file")
			if IsOK(v) {
				v = errSaveConfig
			}
		}
		eff.Persist = false
	}
	e.apply(eff)
	return v
}

// probeBound is how long a reply about a master waits for the master to answer a probe PING.
// A live master answers within a network round trip; a killed one closes its connections
// within it; only a hung (stopped) one uses up the bound, and is then reported as it stands.
const probeBound = 20 * time.Millisecond

// reportsMasterFlags tells the SENTINEL subcommands whose reply gives a master's flags, which
// clients read to decide whether to connect to it (node-redis's createSentinel skips a master
// flagged s_down or disconnected, and otherwise reconnects to it for as long as it takes), and
// the master they are about ("" for all).
func reportsMasterFlags(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	switch strings.ToLower(args[0]) {
	case "masters":
		return "", len(args) == 1
	case "master":
		if len(args) == 2 {
			return args[1], true
		}
	}
	return "", false
}

// awaitMastersAnswer pings the master(s) the reply will describe and waits, up to probeBound,
// for the answer or the link's close. A client whose connection to a killed master just
// dropped asks at once; the sentinel's own connections to that master may not have been
// closed yet (the dying process closes its sockets one by one, and on a loaded machine it
// can be preempted between them for milliseconds), and no TCP state can show a close that has
// not happened. A PING sent now is answered only by a master that is still alive, and a dying
// one fails it by closing the link. redis-sentinel answers from what it knows; the extra round
// trip is listed in docs/sentinel-differences.md.
func (e *Engine) awaitMastersAnswer(name string) {
	e.mu.Lock()
	eff, probed := e.state.ProbeMasters(name, e.now())
	waits := make([]chan struct{}, 0, len(probed))
	for _, a := range probed {
		ch := make(chan struct{})
		e.probeWaiters[a.String()] = append(e.probeWaiters[a.String()], ch)
		waits = append(waits, ch)
	}
	e.apply(eff)
	e.mu.Unlock()
	if len(waits) == 0 {
		return
	}
	timer := time.NewTimer(probeBound)
	defer timer.Stop()
	for _, ch := range waits {
		select {
		case <-ch:
		case <-timer.C:
			return
		}
	}
}

// noticeClosedLinks counts down, before a SENTINEL command is answered, every link whose
// connection the instance has already closed. A client whose own connection to a killed master
// drops asks the sentinels at once (node-redis's createSentinel queries SENTINEL MASTER within
// milliseconds); redis-sentinel, a single event loop, handles its link's close before that
// query arrives, but here the link's goroutines race the query's. A master reported without
// "disconnected" then sends node-redis to reconnect to the dead address, which it retries for
// good, ignoring the failover that follows. e.mu is held.
func (e *Engine) noticeClosedLinks() {
	for k, l := range e.links {
		if sl := e.state.links[k]; sl != nil && sl.connected && l.closedByPeer() {
			e.apply(e.state.LinkDown(l.target.Addr, e.now()))
		}
	}
}

// InfoSentinel is the body of INFO's Sentinel section.
func (e *Engine) InfoSentinel() []string {
	running, queued := e.scripts.counts()
	e.mu.Lock()
	defer e.mu.Unlock()
	lines := e.state.InfoSentinel(e.now())
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "sentinel_running_scripts:"):
			lines[i] = "sentinel_running_scripts:" + strconv.Itoa(running)
		case strings.HasPrefix(l, "sentinel_scripts_queue_length:"):
			lines[i] = "sentinel_scripts_queue_length:" + strconv.Itoa(queued)
		}
	}
	return lines
}

// MasterNames lists the monitored masters, for ROLE.
func (e *Engine) MasterNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.state.Masters))
	for _, m := range e.state.sortedMasters() {
		names = append(names, m.Config.Name)
	}
	return names
}

// Hello takes a hello published straight to this sentinel.
func (e *Engine) Hello(payload string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apply(e.state.HandleHello(payload, Addr{}, e.now()))
}

// Shutdown persists the state.
func (e *Engine) Shutdown() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.store == nil {
		return nil
	}
	if err := e.store.Save(e.state); err != nil {
		return fmt.Errorf("saving sentinel state on shutdown: %w", err)
	}
	return nil
}

// View runs fn with the state locked (tests and diagnostics).
func (e *Engine) View(fn func(s *State)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(e.state)
}

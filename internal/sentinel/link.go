package sentinel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// helloChannel is the channel sentinels gossip on.
const helloChannel = "__sentinel__:hello"

// dialTimeout bounds a connection attempt; a listener that is stopped (SIGSTOP) still accepts,
// so it is the replies, not the dial, that go missing then.
const dialTimeout = time.Second

// maxInFlight bounds a link's written-but-unanswered commands; the state machine stops its
// periodic traffic far earlier (maxPendingCommands).
const maxInFlight = 512

// linkHost is what a link reports to: the Engine. Every report names the link it comes from,
// because a link the host has replaced (its auth-pass or rename-command changed, its instance
// was removed or reset and then added again) keeps reporting until its goroutines notice the
// stop, possibly after its successor to the same address reported: the host must tell the two
// apart rather than go by the address.
type linkHost interface {
	linkUp(from *instanceLink)
	linkDown(from *instanceLink)
	// pubsubUp and pubsubDown report the pubsub connection of a Redis instance's link.
	pubsubUp(from *instanceLink)
	pubsubDown(from *instanceLink)
	reply(from *instanceLink, cmd Command, v resp.Value, err error)
	hello(from *instanceLink, payload string)
	pubsubActive(from *instanceLink)
	clientName(kind string) string
	reconnectDelay() time.Duration
}

// instanceLink keeps a cmd link (and, for Redis instances, a pubsub link) to one address open,
// re-opening them when they fail, until stopped.
type instanceLink struct {
	target Target
	host   linkHost
	out    chan Command
	cancel context.CancelFunc

	mu   sync.Mutex
	conn net.Conn // current cmd connection, closed by reconnect()
	sub  net.Conn
}

func startLink(ctx context.Context, host linkHost, t Target) *instanceLink {
	ctx, cancel := context.WithCancel(ctx)
	l := &instanceLink{target: t, host: host, out: make(chan Command, maxInFlight), cancel: cancel}
	go l.runCmd(ctx)
	if !t.Sentinel {
		go l.runPubSub(ctx)
	}
	return l
}

func (l *instanceLink) stop() {
	l.cancel()
	l.reconnect()
}

// reconnect drops the current connections; the loops open new ones.
func (l *instanceLink) reconnect() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.Close()
	}
	if l.sub != nil {
		l.sub.Close()
	}
}

// errLinkQueueFull fails a command that the link could not even queue.
var errLinkQueueFull = errors.New("link queue full")

// send queues c and reports false if the queue is full: the caller (which holds the engine's
// lock, so the link cannot report to it) fails the command itself.
func (l *instanceLink) send(c Command) bool {
	select {
	case l.out <- c:
		return true
	default:
		return false
	}
}

func (l *instanceLink) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	return d.DialContext(ctx, "tcp", l.target.Addr.String())
}

// name maps a command name through rename-command (Redis instances only).
func (l *instanceLink) name(cmd string) string {
	if to, ok := l.target.Renames[strings.ToLower(cmd)]; ok {
		return to
	}
	return cmd
}

func (l *instanceLink) authArgs() []string {
	switch {
	case l.target.AuthPass == "":
		return nil
	case l.target.AuthUser != "":
		return []string{l.name("AUTH"), l.target.AuthUser, l.target.AuthPass}
	default:
		return []string{l.name("AUTH"), l.target.AuthPass}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// inflight is one written command awaiting its replies; only the last reply (EXEC's, for a
// transaction) is reported.
type inflight struct {
	cmd     Command
	replies int
	report  bool
}

func (l *instanceLink) runCmd(ctx context.Context) {
	wasUp := true // report the first failure too
	for ctx.Err() == nil {
		conn, err := l.dial(ctx)
		if err != nil {
			if wasUp {
				l.host.linkDown(l)
				wasUp = false
			}
			l.failQueued()
			if !sleepCtx(ctx, l.host.reconnectDelay()) {
				return
			}
			continue
		}
		l.mu.Lock()
		l.conn = conn
		l.mu.Unlock()
		l.serveCmd(ctx, conn)
		conn.Close()
		l.host.linkDown(l)
		wasUp = false
		// A connection that was up and dropped (CLIENT KILL by a promotion transaction, a
		// restart) is re-opened at once; only failed attempts are throttled. sentinel.c waits a
		// ping period here, long enough for a healthy new master to look down.
	}
}

// failQueued answers queued commands with an error while there is no connection, so the
// state machine's pending counters do not leak.
func (l *instanceLink) failQueued() {
	for {
		select {
		case c := <-l.out:
			l.host.reply(l, c, resp.Value{}, errors.New("link down"))
		default:
			return
		}
	}
}

func (l *instanceLink) serveCmd(ctx context.Context, conn net.Conn) {
	w := resp.NewWriter(bufio.NewWriter(conn))
	pending := make(chan inflight, maxInFlight)
	// The handshake is pipelined and its replies ignored, as sentinel.c does: a stopped
	// instance accepts connections but never answers, and that must show as missing PONGs.
	if args := l.authArgs(); args != nil {
		w.WriteCommand(args...)
		pending <- inflight{replies: 1}
	}
	w.WriteCommand(l.name("CLIENT"), "SETNAME", l.host.clientName("cmd"))
	pending <- inflight{replies: 1}
	if err := w.Flush(); err != nil {
		return
	}
	l.host.linkUp(l)

	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		l.readReplies(conn, pending)
	}()
	defer func() {
		conn.Close()
		<-readerDone
		for {
			select {
			case f := <-pending:
				if f.report {
					l.host.reply(l, f.cmd, resp.Value{}, errors.New("link closed"))
				}
			default:
				return
			}
		}
	}()
	localIP := ""
	if a, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		localIP = a.IP.String()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-readerDone:
			return
		case c := <-l.out:
			if c.Op == OpReconnect {
				return
			}
			n := l.writeCommand(w, c, localIP)
			select {
			case pending <- inflight{cmd: c, replies: n, report: true}:
			default:
				l.host.reply(l, c, resp.Value{}, errors.New("too many commands in flight"))
				return
			}
			// Write everything queued before flushing: one syscall per burst.
			for drained := false; !drained; {
				select {
				case c2 := <-l.out:
					if c2.Op == OpReconnect {
						w.Flush()
						return
					}
					n := l.writeCommand(w, c2, localIP)
					select {
					case pending <- inflight{cmd: c2, replies: n, report: true}:
					default:
						l.host.reply(l, c2, resp.Value{}, errors.New("too many commands in flight"))
						return
					}
				default:
					drained = true
				}
			}
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

func (l *instanceLink) readReplies(conn net.Conn, pending chan inflight) {
	r := resp.NewReader(bufio.NewReader(conn), resp.ClientLimits)
	for {
		v, err := r.ReadValue()
		if err != nil {
			return
		}
		var f inflight
		select {
		case f = <-pending:
		default:
			return // a reply nobody asked for: the stream is out of step
		}
		for i := 1; i < f.replies; i++ {
			if v, err = r.ReadValue(); err != nil {
				if f.report {
					l.host.reply(l, f.cmd, resp.Value{}, err)
				}
				return
			}
		}
		if f.report {
			l.host.reply(l, f.cmd, v, nil)
		}
	}
}

// writeCommand writes c and returns how many replies it produces.
func (l *instanceLink) writeCommand(w *resp.Writer, c Command, localIP string) int {
	switch c.Op {
	case OpPing:
		w.WriteCommand(l.name("PING"))
	case OpInfo:
		w.WriteCommand(l.name("INFO"))
	case OpHello:
		h := c.Hello
		if h.Addr.Host == "" {
			h.Addr.Host = localIP
		}
		w.WriteCommand(l.name("PUBLISH"), helloChannel, h.String())
	case OpAskMasterDown:
		w.WriteCommand("SENTINEL", "is-master-down-by-addr", c.MasterAt.Host, strconv.Itoa(c.MasterAt.Port),
			strconv.FormatUint(c.Epoch, 10), c.RunID)
	case OpPromote, OpReplicaOf:
		slaveof := []string{l.name("SLAVEOF"), "NO", "ONE"}
		if c.Op == OpReplicaOf {
			slaveof = []string{l.name("SLAVEOF"), c.Target.Host, strconv.Itoa(c.Target.Port)}
		}
		w.WriteCommand(l.name("MULTI"))
		w.WriteCommand(slaveof...)
		w.WriteCommand(l.name("CONFIG"), "REWRITE")
		w.WriteCommand(l.name("CLIENT"), "KILL", "TYPE", "normal")
		w.WriteCommand(l.name("CLIENT"), "KILL", "TYPE", "pubsub")
		w.WriteCommand(l.name("EXEC"))
		return 6
	case OpPauseWrites:
		w.WriteCommand(l.name("CLIENT"), "PAUSE", strconv.FormatInt(c.Duration.Milliseconds(), 10), "WRITE")
	case OpUnpause:
		w.WriteCommand(l.name("CLIENT"), "UNPAUSE")
	case OpScriptKill:
		w.WriteCommand(l.name("SCRIPT"), "KILL")
	default:
		panic(fmt.Sprintf("link: no wire form for %v", c.Op))
	}
	return 1
}

func (l *instanceLink) runPubSub(ctx context.Context) {
	for ctx.Err() == nil {
		conn, err := l.dial(ctx)
		if err == nil {
			l.mu.Lock()
			l.sub = conn
			l.mu.Unlock()
			refused := l.servePubSub(conn)
			conn.Close()
			l.host.pubsubDown(l)
			if !refused {
				continue // re-open a dropped connection at once, as for the cmd link
			}
			// The instance refused the subscription (a wrong or missing auth-pass): retry once
			// per reconnect period, as sentinel.c's reconnection does, rather than in a loop.
		}
		if !sleepCtx(ctx, l.host.reconnectDelay()) {
			return
		}
	}
}

// servePubSub subscribes to the hello channel on conn and delivers hellos until the connection
// ends. It reports true when the instance answered the subscription with an error: hiredis,
// which sentinel.c uses, closes a subscribed connection on an error reply it has no callback
// for, so a SUBSCRIBE refused with -NOAUTH leaves the link down and the instance flagged
// disconnected until auth-pass is right.
func (l *instanceLink) servePubSub(conn net.Conn) (refused bool) {
	w := resp.NewWriter(bufio.NewWriter(conn))
	skip := 1
	if args := l.authArgs(); args != nil {
		w.WriteCommand(args...)
		skip++
	}
	w.WriteCommand(l.name("CLIENT"), "SETNAME", l.host.clientName("pubsub"))
	w.WriteCommand(l.name("SUBSCRIBE"), helloChannel)
	if w.Flush() != nil {
		return false
	}
	// sentinel.c counts the link connected once both connections are open; the handshake's
	// replies are not waited for.
	l.host.pubsubUp(l)
	r := resp.NewReader(bufio.NewReader(conn), resp.ClientLimits)
	for {
		v, err := r.ReadValue()
		if err != nil {
			return false
		}
		if skip > 0 {
			skip--
			continue
		}
		if v.IsError() {
			return true
		}
		if (v.Kind != resp.KindArray && v.Kind != resp.KindPush) || len(v.Elems) < 3 {
			continue
		}
		kind, _ := v.Elems[0].Text()
		switch strings.ToLower(kind) {
		case "subscribe":
			l.host.pubsubActive(l)
		case "message":
			if payload, ok := v.Elems[2].Text(); ok {
				l.host.hello(l, payload)
			}
		}
	}
}

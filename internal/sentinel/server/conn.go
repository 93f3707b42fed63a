package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// closeAfterReplyTimeout bounds how long a connection being closed (protocol error, CLIENT KILL
// of oneself) may take to accept its last reply.
const closeAfterReplyTimeout = 5 * time.Second

// readBufferSize is the per-connection input buffer; commands to a sentinel are small, and the
// resp.Reader grows its own buffers only for the data that actually arrives.
const readBufferSize = 4096

// reply modes of CLIENT REPLY.
const (
	replyOn = iota
	replyOff
	replySkip
)

// conn is one client connection. Its serve goroutine reads and executes commands and writes
// their replies; a second goroutine (pushLoop) sends only pub/sub messages, so that publishing
// never waits for a slow reader.
type conn struct {
	s       *Server
	nc      net.Conn
	id      int64
	addr    string
	laddr   string
	fd      int
	sock    io.ReadWriter // nc's socket, see newSocketIO
	created time.Time
	out     *output
	r       *resp.Reader

	// Encoder state, used only by the serve goroutine.
	encBuf bytes.Buffer
	enc    *resp.Writer

	// Read from other goroutines (Publish, CLIENT LIST/KILL, INFO).
	proto      atomic.Int32
	lastActive atomic.Int64 // unix nanoseconds of the last command
	nSubs      atomic.Int32 // channel subscriptions
	nPSubs     atomic.Int32 // pattern subscriptions

	mu      sync.Mutex // guards name, user, lastCmd
	name    string
	user    string
	lastCmd string

	// Used only by the serve goroutine.
	authed    bool
	replyMode int
	tracking  bool     // CLIENT TRACKING on/off, reported by TRACKINGINFO
	closing   bool     // stop reading after the current command (close after reply)
	channels  []string // subscription order, for UNSUBSCRIBE without arguments
	patterns  []string
	pushDone  chan struct{}
	killOnce  sync.Once
}

func newConn(s *Server, nc net.Conn, id int64) *conn {
	c := &conn{
		s:        s,
		nc:       nc,
		id:       id,
		addr:     nc.RemoteAddr().String(),
		laddr:    nc.LocalAddr().String(),
		fd:       socketFD(nc),
		sock:     newSocketIO(nc),
		created:  time.Now(),
		user:     "default",
		pushDone: make(chan struct{}),
	}
	c.out = newOutput(c.sock, &s.stats)
	c.proto.Store(2)
	c.lastActive.Store(c.created.UnixNano())
	c.r = resp.NewReader(bufio.NewReaderSize(connReader{c}, readBufferSize), s.opts.ReadLimits)
	c.enc = resp.NewWriter(bufio.NewWriterSize(&c.encBuf, 512))
	return c
}

// connReader is the socket as the command reader sees it. The reader only calls Read when the
// commands already received are all executed (or one is incomplete), so that is when the
// replies so far are written: pipelined commands get their replies in one write, and a client
// never waits for a reply while the server waits for its next command. It also feeds INFO's
// total_net_input_bytes and total_reads_processed.
type connReader struct{ c *conn }

func (cr connReader) Read(p []byte) (int, error) {
	c := cr.c
	if c.out.hasPending() {
		if err := c.out.flush(); err != nil {
			return 0, fmt.Errorf("writing replies: %w", err)
		}
	}
	n, err := c.sock.Read(p)
	c.s.stats.netInputBytes.Add(int64(n))
	c.s.stats.readsProcessed.Add(1)
	return n, err
}

// serve reads and executes commands until the client goes away, a protocol error, or a command
// that closes the connection (CLIENT KILL of oneself, SHUTDOWN).
func (c *conn) serve() {
	go c.pushLoop()
	defer c.cleanup()
	for {
		c.r.SetUnauthenticated(c.authRequired())
		args, err := c.r.ReadCommand()
		if err != nil {
			if resp.IsProtocolError(err) {
				// Redis replies with the protocol error, then closes after the reply.
				c.s.log.V(1).Info("Closing client after protocol error", "id", c.id, "addr", c.addr, "error", err.Error())
				c.reply(resp.Err("ERR " + err.Error()))
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
				c.s.log.V(1).Info("Client connection read failed", "id", c.id, "addr", c.addr, "error", err.Error())
			}
			return
		}
		c.lastActive.Store(time.Now().UnixNano())
		c.execute(args)
		if c.closing {
			return
		}
	}
}

// cleanup unregisters the client and lets the output still pending reach it (a client that
// half-closes after pipelining still gets its answers, as with redis), bounded by
// closeAfterReplyTimeout. If the client was killed, the output is already gone.
func (c *conn) cleanup() {
	c.s.unregister(c)
	c.s.pubsub.removeAll(c)
	// Deadlines also apply to a write already blocked in the push writer.
	_ = c.nc.SetWriteDeadline(time.Now().Add(closeAfterReplyTimeout))
	_ = c.out.flush()
	c.kill()
	<-c.pushDone
	c.s.log.V(1).Info("Client disconnected", "id", c.id, "addr", c.addr)
}

// kill disconnects the client from any goroutine, dropping unsent output.
func (c *conn) kill() {
	c.killOnce.Do(func() {
		c.out.close()
		_ = c.nc.Close()
	})
}

// pushLoop sends the pub/sub messages that Publish appended, until the connection is killed
// (which closes the output and with it the wake-up channel).
func (c *conn) pushLoop() {
	defer close(c.pushDone)
	for range c.out.kick {
		if err := c.out.flush(); err != nil {
			c.kill()
		}
	}
}

// encode renders v in the connection's protocol. The result is valid until the next call
// (the output copies it).
func (c *conn) encode(v resp.Value) []byte {
	c.encBuf.Reset()
	// Writes to a bytes.Buffer cannot fail.
	_ = c.enc.WriteValue(v, int(c.proto.Load()))
	_ = c.enc.Flush()
	return c.encBuf.Bytes()
}

// reply sends one reply, honouring CLIENT REPLY OFF/SKIP.
func (c *conn) reply(v resp.Value) {
	if v.IsError() {
		c.s.stats.errorReplies.Add(1)
	}
	switch c.replyMode {
	case replyOff:
		return
	case replySkip:
		c.replyMode = replyOn
		return
	}
	// Normally replies are written before the next read; a client that pipelines a lot without
	// reading gets them written now, and the blocked write stops us reading its commands.
	if c.out.pushReply(c.encode(v)) > c.s.opts.ReplyBacklog {
		if err := c.out.flush(); err != nil {
			c.kill()
		}
	}
}

// closeAfterReply makes the connection close once the replies so far are sent.
func (c *conn) closeAfterReply() { c.closing = true }

func (c *conn) authRequired() bool {
	return !c.authed && !c.s.defaultUser().nopass
}

func (c *conn) inPubSub() bool { return c.nSubs.Load()+c.nPSubs.Load() > 0 }

func (c *conn) clientInfo() ClientInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ClientInfo{ID: c.id, Addr: c.addr, Name: c.name}
}

func (c *conn) getName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func (c *conn) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

// socketFD is the descriptor number CLIENT LIST shows as fd=, or -1 if unavailable.
func socketFD(nc net.Conn) int {
	fd := -1
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(f uintptr) { fd = int(f) })
		}
	}
	return fd
}

func sortByID(list []*conn) {
	slices.SortFunc(list, func(a, b *conn) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
}

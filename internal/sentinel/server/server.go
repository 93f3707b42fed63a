package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
)

// ErrShutdown is returned by Serve after a client ran SHUTDOWN and the backend persisted its
// state: the process should exit with status 0, as redis-sentinel does.
var ErrShutdown = errors.New("sentinel server: SHUTDOWN requested by a client")

// maxClientsReply is what redis writes to a connection over maxclients before closing it.
const maxClientsReply = "-ERR max number of clients reached\r\n"

// Server is the sentinel's network front: a TCP server speaking RESP2/RESP3 like redis-sentinel
// 7.0.15. It answers connection-level commands itself, delegates SENTINEL commands and hello
// messages to the Backend, and implements Publisher for the engine's events. Create it with New,
// then call Serve.
type Server struct {
	opts    Options
	log     logr.Logger
	backend atomic.Pointer[Backend]
	started time.Time
	pubsub  pubsub
	stats   stats

	nextID atomic.Int64

	mu        sync.Mutex
	listeners []net.Listener
	clients   map[int64]*conn
	stopping  bool

	authMu         sync.RWMutex
	defaultAccount defaultUser

	connWG       sync.WaitGroup
	shutdownOnce sync.Once
	shutdownCh   chan struct{}
}

// New checks opts and prepares a server; nothing listens until Listen or Serve.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		opts:       opts,
		log:        opts.Logger,
		started:    time.Now(),
		clients:    make(map[int64]*conn),
		shutdownCh: make(chan struct{}),
		pubsub:     newPubSub(),
	}
	s.defaultAccount = newDefaultUser(opts.RequirePass)
	if opts.Backend != nil {
		s.SetBackend(opts.Backend)
	}
	return s, nil
}

// SetBackend installs the engine. It exists for the start-up order problem: the engine needs the
// server as its Publisher and the server needs the engine as its Backend, so one of the two is
// wired after construction. Call it before Serve.
func (s *Server) SetBackend(b Backend) { s.backend.Store(&b) }

func (s *Server) getBackend() Backend {
	if b := s.backend.Load(); b != nil {
		return *b
	}
	return nil
}

// Listen binds every address in Options.Addrs. Serve calls it if it has not been called; tests
// and callers that need the bound ports (port 0) call it first and then read Addrs.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) > 0 {
		return nil
	}
	var lc net.ListenConfig
	for _, addr := range s.opts.Addrs {
		optional := strings.HasPrefix(addr, "-")
		addr = strings.TrimPrefix(addr, "-")
		l, err := lc.Listen(context.Background(), "tcp", addr)
		if err != nil && optional && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			// redis skips an optional ("-") address the host does not have.
			s.opts.Logger.Info("skipping optional bind address that is not available", "addr", addr, "error", err.Error())
			continue
		}
		if err != nil {
			for _, bound := range s.listeners {
				_ = bound.Close()
			}
			s.listeners = nil
			return fmt.Errorf("listening on %s: %w", addr, err)
		}
		s.listeners = append(s.listeners, l)
	}
	if len(s.listeners) == 0 {
		return fmt.Errorf("listening on %s: none of the addresses is available", strings.Join(s.opts.Addrs, ", "))
	}
	return nil
}

// Addrs returns the bound listen addresses (after Listen).
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	addrs := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		addrs[i] = l.Addr()
	}
	return addrs
}

// Port is the TCP port of the first listener (INFO tcp_port), 0 before Listen.
func (s *Server) Port() int {
	addrs := s.Addrs()
	if len(addrs) == 0 {
		return 0
	}
	if tcp, ok := addrs[0].(*net.TCPAddr); ok {
		return tcp.Port
	}
	_, port, _ := net.SplitHostPort(addrs[0].String())
	n, _ := strconv.Atoi(port)
	return n
}

// ShutdownRequested is closed when a client's SHUTDOWN succeeded.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.shutdownCh }

// Serve accepts clients until ctx is cancelled (returns nil) or a client runs SHUTDOWN (returns
// ErrShutdown). Either way all listeners and client connections are closed before it returns.
func (s *Server) Serve(ctx context.Context) error {
	if s.getBackend() == nil {
		return errors.New("sentinel server: no Backend: pass Options.Backend or call SetBackend before Serve")
	}
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	listeners := append([]net.Listener(nil), s.listeners...)
	s.mu.Unlock()

	var acceptWG sync.WaitGroup
	for _, l := range listeners {
		acceptWG.Add(1)
		go func() {
			defer acceptWG.Done()
			s.acceptLoop(l)
		}()
		s.log.Info("Sentinel server listening", "addr", l.Addr().String())
	}

	var result error
	select {
	case <-ctx.Done():
	case <-s.shutdownCh:
		result = ErrShutdown
	}
	s.stop()
	acceptWG.Wait()
	s.connWG.Wait()
	return result
}

// stop closes the listeners and every client.
func (s *Server) stop() {
	s.mu.Lock()
	s.stopping = true
	for _, l := range s.listeners {
		_ = l.Close()
	}
	clients := make([]*conn, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	for _, c := range clients {
		c.kill()
	}
}

func (s *Server) acceptLoop(l net.Listener) {
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			stopping := s.stopping
			s.mu.Unlock()
			if stopping || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and similar: back off instead of spinning, like net/http.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Error(err, "Accepting a client connection failed; retrying", "addr", l.Addr().String(), "retryIn", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.admit(nc)
	}
}

// admit registers a new connection or refuses it when maxclients is reached.
func (s *Server) admit(nc net.Conn) {
	s.stats.connectionsReceived.Add(1)
	s.mu.Lock()
	if s.stopping || len(s.clients) >= s.opts.MaxClients {
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			s.stats.rejectedConnections.Add(1)
			s.log.V(1).Info("Refusing client: max number of clients reached", "addr", nc.RemoteAddr().String(), "maxclients", s.opts.MaxClients)
			_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = nc.Write([]byte(maxClientsReply))
		}
		_ = nc.Close()
		return
	}
	c := newConn(s, nc, s.nextID.Add(1))
	s.clients[c.id] = c
	s.connWG.Add(1)
	s.mu.Unlock()
	s.log.V(1).Info("Client connected", "id", c.id, "addr", c.addr)
	go func() {
		defer s.connWG.Done()
		c.serve()
	}()
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	delete(s.clients, c.id)
	s.mu.Unlock()
}

// clientsSnapshot returns the connected clients ordered by id (CLIENT LIST order in redis).
func (s *Server) clientsSnapshot() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]*conn, 0, len(s.clients))
	for _, c := range s.clients {
		list = append(list, c)
	}
	sortByID(list)
	return list
}

func (s *Server) connectedClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// requestShutdown makes Serve return ErrShutdown.
func (s *Server) requestShutdown() {
	s.shutdownOnce.Do(func() { close(s.shutdownCh) })
}

// Publish implements Publisher: it hands message to every subscriber of channel and of matching
// patterns without waiting for any of them. A subscriber whose undelivered backlog would exceed
// Options.PubSubBacklog is disconnected.
func (s *Server) Publish(channel, message string) {
	s.pubsub.publish(s, channel, message)
}

var _ Publisher = (*Server)(nil)

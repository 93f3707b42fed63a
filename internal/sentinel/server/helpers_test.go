package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/testr"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// cannedBackend stands in for the failover engine. The tests here exercise the protocol front
// (framing, connection commands, pub/sub, limits), so the backend only needs to return fixed
// replies and record what it was given; the real engine behind this interface is tested end to
// end by internal/sentinel and the black-box client tests.
type cannedBackend struct {
	mu          sync.Mutex
	noMasters   bool     // behave like a sentinel that monitors nothing
	masterAddr  []string // GET-MASTER-ADDR-BY-NAME mymaster; the golden 127.0.0.1:6390 if nil
	hellos      []string
	calls       []ClientInfo
	shutdowns   int
	shutdownErr error
}

const cannedRunID = "9239a047ec2f08c9e40c6aa3254572678a7ab098"

// goldenMasterFields is SENTINEL MASTER mymaster exactly as captured from redis-sentinel 7.0.15.
var goldenMasterFields = []resp.Field{
	{Name: "name", Value: "mymaster"}, {Name: "ip", Value: "127.0.0.1"}, {Name: "port", Value: "6390"},
	{Name: "runid", Value: "fe1cc257f3086cf2840634ab7b349d08bc400086"}, {Name: "flags", Value: "master"},
	{Name: "link-pending-commands", Value: "0"}, {Name: "link-refcount", Value: "1"},
	{Name: "last-ping-sent", Value: "0"}, {Name: "last-ok-ping-reply", Value: "94"},
	{Name: "last-ping-reply", Value: "94"}, {Name: "down-after-milliseconds", Value: "2000"},
	{Name: "info-refresh", Value: "7385"}, {Name: "role-reported", Value: "master"},
	{Name: "role-reported-time", Value: "7389"}, {Name: "config-epoch", Value: "0"},
	{Name: "num-slaves", Value: "2"}, {Name: "num-other-sentinels", Value: "2"}, {Name: "quorum", Value: "2"},
	{Name: "failover-timeout", Value: "10000"}, {Name: "parallel-syncs", Value: "1"},
}

func (b *cannedBackend) RunID() string { return cannedRunID }

func (b *cannedBackend) Sentinel(client ClientInfo, args []string) resp.Value {
	b.mu.Lock()
	b.calls = append(b.calls, client)
	b.mu.Unlock()
	switch strings.ToLower(args[0]) {
	case "get-master-addr-by-name":
		if args[1] != "mymaster" {
			return resp.NullArray()
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.masterAddr != nil {
			return resp.BulkStrings(b.masterAddr...)
		}
		return resp.BulkStrings("127.0.0.1", "6390")
	case "sentinels", "replicas", "slaves":
		return resp.Array()
	case "master":
		if args[1] == "mymaster" {
			return resp.FieldMap(goldenMasterFields)
		}
		return resp.Err("ERR No such master with that name")
	case "is-master-down-by-addr":
		return resp.Array(resp.Int(0), resp.Bulk("*"), resp.Int(0))
	case "ckquorum":
		return resp.Simple("OK 3 usable Sentinels. Quorum and failover authorization can be reached")
	}
	return resp.Err("ERR No such master with that name")
}

func (b *cannedBackend) InfoSentinel() []string {
	lines := []string{
		"sentinel_masters:1",
		"sentinel_tilt:0",
		"sentinel_tilt_since_seconds:-1",
		"sentinel_running_scripts:0",
		"sentinel_scripts_queue_length:0",
		"sentinel_simulate_failure_flags:0",
		"master0:name=mymaster,status=ok,address=127.0.0.1:6390,slaves=2,sentinels=3",
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.noMasters {
		return append([]string{"sentinel_masters:0"}, lines[1:6]...)
	}
	return lines
}

func (b *cannedBackend) MasterNames() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.noMasters {
		return []string{}
	}
	return []string{"mymaster"}
}

func (b *cannedBackend) Hello(payload string) {
	b.mu.Lock()
	b.hellos = append(b.hellos, payload)
	b.mu.Unlock()
}

func (b *cannedBackend) Shutdown() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.shutdowns++
	return b.shutdownErr
}

// testServer runs a Server on an ephemeral loopback port until the test ends.
type testServer struct {
	*Server
	backend *cannedBackend
	addr    string
	done    chan error
}

func startServer(t testing.TB, opts Options) *testServer {
	t.Helper()
	backend := &cannedBackend{}
	if len(opts.Addrs) == 0 {
		opts.Addrs = []string{"127.0.0.1:0"}
	}
	opts.Backend = backend
	opts.Logger = testr.NewWithInterface(t, testr.Options{})
	if _, fuzzing := t.(*testing.F); fuzzing {
		// testing.F forbids logging (Helper) from the fuzz target's goroutines.
		opts.Logger = logr.Discard()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: s, backend: backend, addr: s.Addrs()[0].String(), done: make(chan error, 1)}
	go func() { ts.done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ts.done:
			if err != nil && !errors.Is(err, ErrShutdown) {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	return ts
}

// ioTimeout only protects the test from hanging on a server bug; no assertion depends on it.
const ioTimeout = 10 * time.Second

// rawClient speaks raw bytes so replies can be compared byte for byte with redis's.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *rawClient) send(raw string) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.t.Fatalf("write %q: %v", raw, err)
	}
}

// do sends a command as a multibulk array, as clients do.
func (c *rawClient) do(args ...string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.send(b.String())
}

// expect reads exactly len(want) bytes and compares them with want.
func (c *rawClient) expect(want string) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.br, got)
	if err != nil {
		c.t.Fatalf("reading reply: got %q then %v; want %q", got[:n], err, want)
	}
	if string(got) != want {
		c.t.Fatalf("reply mismatch\n got %q\nwant %q", got, want)
	}
}

// roundTrip sends a command and checks the exact reply bytes.
func (c *rawClient) roundTrip(want string, args ...string) {
	c.t.Helper()
	c.do(args...)
	c.expect(want)
}

// value reads one reply of any type.
func (c *rawClient) value() resp.Value {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	v, err := resp.NewReader(c.br, resp.ClientLimits).ReadValue()
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return v
}

// expectClosed waits for the server to close the connection (EOF or reset).
func (c *rawClient) expectClosed() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	buf := make([]byte, 512)
	for {
		n, err := c.br.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatalf("connection still open; last bytes %q", buf[:n])
			}
			return
		}
		if n > 0 {
			c.t.Fatalf("expected the connection to close, got more data %q", buf[:n])
		}
	}
}

// clientsConnected holds once the server has exactly n clients connected.
func (ts *testServer) clientsConnected(n int) poll.Condition {
	return func(context.Context) error {
		if got := ts.connectedClients(); got != n {
			return fmt.Errorf("%d clients connected, want %d", got, n)
		}
		return nil
	}
}

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

func fullRead(c *rawClient, buf []byte) (int, error) { return io.ReadFull(c.br, buf) }

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// expectClosedAfterDrain reads whatever the server had sent and then expects the close.
func (c *rawClient) expectClosedAfterDrain() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	if _, err := io.Copy(io.Discard, c.br); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.t.Fatal("connection still open")
		}
	}
}

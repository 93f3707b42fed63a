// Package redistest starts real redis-server processes (Debian's 7.0.15, `apt-get install -y
// redis-server`) on loopback addresses for tests. Nothing is simulated: tests that use it talk
// to the same server the pods run.
package redistest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is one running redis-server.
type Server struct {
	Host     string
	Port     int
	Password string
	cmd      *exec.Cmd
	t        testing.TB
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Options configure a server. Extra are redis.conf directives, one per line.
type Options struct {
	// Host and Port fix the address; zero values pick a random 127.0.0.x and a free port. Tests
	// that model pods (one port, many addresses) fix the port and vary the host.
	Host     string
	Port     int
	Password string
	Extra    []string
}

// Start runs redis-server on a random 127.0.0.x address (several tests and teammates share the
// machine, so neither address nor port is fixed) and waits until it answers PING. The process
// is killed when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	return start(t, opts, false)
}

func start(t testing.TB, opts Options, sentinel bool) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found (run `hack/toolchain.sh debian` or `apt-get install -y redis-server`): %v", err)
	}
	host, port := opts.Host, opts.Port
	if host == "" {
		host = fmt.Sprintf("127.0.0.%d", 2+rand.IntN(250))
	}
	if port == 0 {
		port = freePort(t, host)
	}
	dir := t.TempDir()
	conf := []string{
		"bind " + host,
		"port " + strconv.Itoa(port),
		"dir " + dir,
		"logfile " + filepath.Join(dir, "redis.log"),
	}
	if !sentinel {
		// replica-announce-ip: every replica would otherwise show up as 127.0.0.1, the source
		// address of loopback connections, where pods show up with their own IP.
		// repl-diskless-sync-delay 0: Redis otherwise waits 5 s for more replicas before a full sync.
		conf = append(conf, "save \"\"", "appendonly no", "replica-announce-ip "+host, "repl-diskless-sync-delay 0")
	}
	if opts.Password != "" {
		conf = append(conf, "requirepass "+opts.Password)
		if !sentinel {
			conf = append(conf, "masterauth "+opts.Password)
		}
	}
	conf = append(conf, opts.Extra...)
	confPath := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatalf("writing redis.conf: %v", err)
	}
	args := []string{confPath}
	if sentinel {
		args = append(args, "--sentinel")
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s := &Server{Host: host, Port: port, Password: opts.Password, cmd: cmd, t: t}
	t.Cleanup(s.Kill)
	s.waitReady(filepath.Join(dir, "redis.log"))
	return s
}

// Kill stops the server abruptly (SIGKILL), as a crashed pod would stop. Idempotent.
func (s *Server) Kill() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// Client returns a go-redis client for the server, closed at the end of the test.
func (s *Server) Client() *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), Password: s.Password, Protocol: 2, DisableIdentity: true})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (s *Server) waitReady(logPath string) {
	s.t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), Password: s.Password, MaxRetries: -1, DisableIdentity: true})
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			s.t.Fatalf("redis-server on %s not ready after 10s: %v\nlog:\n%s", s.Addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Eventually polls cond every 20ms until it returns nil or timeout passes, then fails the test
// with cond's last error. It waits on a condition; it never stands in for one.
func Eventually(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s: %v", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreePort returns a port that nothing listens on at host right now.
func FreePort(t testing.TB, host string) int { return freePort(t, host) }

func freePort(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("finding a free port on %s: %v", host, err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// StartSentinel runs Debian's redis-sentinel 7.0.15 (redis-server in sentinel mode) on a random
// loopback address, monitoring nothing; tests configure it with SENTINEL MONITOR. It is the
// reference implementation that the project's own sentinel server answers like.
func StartSentinel(t testing.TB, opts Options) *Server {
	t.Helper()
	return start(t, opts, true)
}

package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// StartTimeout bounds how long a process may take to answer its first PING.
const StartTimeout = 15 * time.Second

// Process is one running redis-server or sentinel started by this package.
type Process struct {
	t        T
	name     string
	argv     []string // binary and arguments, reused by Restart
	host     string
	port     int
	dir      string
	logPath  string
	password string // for the readiness PING when the process requires AUTH

	mu     sync.Mutex
	dumped bool // the log was already shown, don't repeat it at cleanup
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been reaped
}

// Host is the loopback address the process listens on.
func (p *Process) Host() string { return p.host }

// Port is the TCP port the process listens on; it stays the same across Restart.
func (p *Process) Port() int { return p.port }

// Addr is host:port, as go-redis wants it.
func (p *Process) Addr() string { return net.JoinHostPort(p.host, strconv.Itoa(p.port)) }

// Dir is the process's working directory (its config, log, and data files live here).
func (p *Process) Dir() string { return p.dir }

// LogPath is the file receiving the process's stdout and stderr.
func (p *Process) LogPath() string { return p.logPath }

// Name is a label for logs, e.g. "redis-1".
func (p *Process) Name() string { return p.name }

// Pid is the current process id (it changes on Restart).
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// Client returns a go-redis client for the process, closed at cleanup.
func (p *Process) Client() *redis.Client {
	c := redis.NewClient(p.clientOptions())
	p.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (p *Process) clientOptions() *redis.Options {
	return &redis.Options{
		Addr:     p.Addr(),
		Password: p.password,
		// One attempt per poll: the harness does its own waiting.
		MaxRetries:  -1,
		DialTimeout: time.Second,
		// RESP2 keeps the handshake identical for redis-server and every sentinel.
		Protocol: 2,
	}
}

// start launches the process on a free port (or the fixed one), and retries with a new port if
// the port was taken between choosing it and the process binding it.
func start(t T, p *Process, fixedPort bool, writeConf func(port int) ([]string, error)) {
	t.Helper()
	p.t = t
	const attempts = 5
	for attempt := 1; ; attempt++ {
		if !fixedPort {
			port, err := freePort(p.host)
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			p.port = port
		}
		argv, err := writeConf(p.port)
		if err != nil {
			t.Fatalf("%s: writing config: %v", p.name, err)
		}
		p.argv = argv
		err = p.launch()
		if err == nil {
			return
		}
		portTaken := errors.Is(err, errPortTaken) || p.logContains("Address already in use")
		if fixedPort || attempt == attempts || !portTaken {
			p.dumpLog()
			t.Fatalf("%s: %v", p.name, err)
		}
		t.Logf("%s: port %d was taken meanwhile, trying another", p.name, p.port)
	}
}

// launch starts argv and waits until it answers PING; on failure the process is gone.
func (p *Process) launch() error {
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening log file: %w", err)
	}
	defer logFile.Close() // the child holds its own descriptor
	fmt.Fprintf(logFile, "### redistest: starting %s\n", strings.Join(p.argv, " "))

	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Own process group, so a Ctrl-C of `go test` does not race the cleanup, and the child
	// dies with us if the test binary is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.argv[0], err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()

	if err := p.waitReady(exited); err != nil {
		p.kill()
		return err
	}
	return nil
}

func (p *Process) waitReady(exited <-chan struct{}) error {
	c := redis.NewClient(p.clientOptions())
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := poll.Until(ctx, StartTimeout, poll.Interval, func(ctx context.Context) error {
		return c.Ping(ctx).Err()
	})
	select {
	case <-exited:
		return fmt.Errorf("exited before answering PING (see %s)", p.logPath)
	default:
	}
	if err != nil {
		return fmt.Errorf("not answering PING on %s: %w", p.Addr(), err)
	}
	// Make sure the PING was answered by our process, not by one that took the port first.
	// (Our sentinel may not report process_id; then the log check in start() covers it.)
	info, err := c.Info(ctx, "server").Result()
	if err == nil {
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok && v != strconv.Itoa(p.Pid()) {
				return fmt.Errorf("%w: %s is served by pid %s, not by ours (%d)", errPortTaken, p.Addr(), v, p.Pid())
			}
		}
	}
	return nil
}

var errPortTaken = errors.New("port taken by another process")

func (p *Process) signal(sig syscall.Signal) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("%s: sending %v to pid %d: %v", p.name, sig, p.cmd.Process.Pid, err)
	}
}

// Kill sends SIGKILL and waits until the process is gone.
func (p *Process) Kill() {
	p.t.Helper()
	p.signal(syscall.SIGKILL)
	<-p.exited
}

// kill is Kill without test failures, for cleanup paths.
func (p *Process) kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// Stop freezes the process with SIGSTOP: its sockets stay open but it answers nothing.
func (p *Process) Stop() { p.t.Helper(); p.signal(syscall.SIGSTOP) }

// Cont resumes a process frozen by Stop.
func (p *Process) Cont() { p.t.Helper(); p.signal(syscall.SIGCONT) }

// Exited reports whether the process has exited (by itself or by Kill).
func (p *Process) Exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Restart kills the process if it still runs and starts it again with the same config file (as
// the process may have rewritten it), directory and port, then waits for PING.
func (p *Process) Restart() {
	p.t.Helper()
	p.kill()
	if err := p.launch(); err != nil {
		p.dumpLog()
		p.t.Fatalf("%s: restarting: %v", p.name, err)
	}
}

func (p *Process) logContains(s string) bool {
	b, err := os.ReadFile(p.logPath)
	return err == nil && strings.Contains(string(b), s)
}

func (p *Process) dumpLog() {
	p.mu.Lock()
	already := p.dumped
	p.dumped = true
	p.mu.Unlock()
	if already {
		return
	}
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		p.t.Logf("%s: reading log %s: %v", p.name, p.logPath, err)
		return
	}
	p.t.Logf("---- %s (%s) log %s ----\n%s---- end of %s log ----", p.name, p.Addr(), p.logPath, b, p.name)
}

// newProcess prepares the directory and cleanup of a process that start() will launch.
func newProcess(t T, name, host string, port int, password string) *Process {
	t.Helper()
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("%s: host %q is not a loopback address; tests only use 127.0.0.0/8", name, host)
	}
	dir := t.TempDir()
	p := &Process{
		t:        t,
		name:     name,
		host:     host,
		port:     port,
		dir:      dir,
		logPath:  filepath.Join(dir, name+".log"),
		password: password,
	}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.dumpLog()
		}
	})
	return p
}

// writeFile writes a config file, failing loudly: a half-written config is never useful.
func writeFile(path string, lines []string) error {
	data := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// quote renders a config argument so that redis's sdssplitargs reads it back unchanged: plain
// when it can, otherwise double-quoted with \" \\ and \xHH escapes (sdssplitargs knows no \u).
func quote(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\'
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var errNoBinary = errors.New("binary not found")

// requireBinary fails with the install command when a Debian binary is missing.
func requireBinary(t T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s: %v: %v; install it with `apt-get install -y %s` (or `make tools`)", path, errNoBinary, err, pkg)
	}
}

// absBinary makes a binary path absolute: processes run in their own directory, where a
// relative path such as bin/redis-failover-sentinel would not resolve.
func absBinary(t T, path string) string {
	t.Helper()
	if !strings.ContainsRune(path, '/') {
		return path // looked up in $PATH
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatalf("resolving %s: %v", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("sentinel binary %s: %v", abs, err)
	}
	return abs
}

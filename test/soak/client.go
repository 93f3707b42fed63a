package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// clientKind is one client library and how to start its writer program (test/soak/clients).
type clientKind struct {
	name string
	// argv is the command line before the writer's own arguments
	// (<master-name> <key-prefix> <sentinel host:port>...).
	argv []string
}

// line is one JSON line a writer prints (see test/soak/clients/writer.js).
type line struct {
	Ev    string `json:"ev"`
	Seq   int64  `json:"seq"`
	Start int64  `json:"s"` // when the write was sent, Unix ms
	T     int64  `json:"t"` // when its outcome arrived, Unix ms
	Err   string `json:"err"`
	Msg   string `json:"msg"`
}

// ack is one acknowledged write.
type ack struct {
	key   string
	seq   int64
	start time.Time
	at    time.Time
}

// clientProc runs one writer program against one topology, restarting it (with a new key
// generation, so keys never repeat) when asked to. Everything it printed goes to its log file.
type clientProc struct {
	kind      clientKind
	topo      string // topology label, part of the key prefix
	master    string
	sentinels []string
	logDir    string
	env       []string

	mu       sync.Mutex
	gen      int
	cmd      *exec.Cmd
	done     chan struct{}
	acks     []ack
	errs     int
	lastErr  string
	exitErrs []string // why earlier generations ended on their own
}

func (c *clientProc) prefix(gen int) string {
	return fmt.Sprintf("soak:%s:%s:%d", c.topo, c.kind.name, gen)
}

// start launches a new generation of the writer and waits for its "ready" line.
func (c *clientProc) start(timeout time.Duration) error {
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.mu.Unlock()
	args := append(append([]string{}, c.kind.argv[1:]...), c.master, c.prefix(gen))
	args = append(args, c.sentinels...)
	cmd := exec.Command(c.kind.argv[0], args...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logFile, err := os.Create(filepath.Join(c.logDir, fmt.Sprintf("%s-%s-%d.jsonl", c.topo, c.kind.name, gen)))
	if err != nil {
		return fmt.Errorf("%s: creating its log: %w", c.kind.name, err)
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return fmt.Errorf("%s: %w", c.kind.name, err)
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("%s: starting %s: %w", c.kind.name, c.kind.argv[0], err)
	}
	ready := make(chan struct{})
	done := make(chan struct{})
	c.mu.Lock()
	c.cmd, c.done = cmd, done
	c.mu.Unlock()
	go func() {
		defer close(done)
		defer logFile.Close()
		c.read(gen, io.TeeReader(stdout, logFile), ready)
		err := cmd.Wait()
		c.mu.Lock()
		if c.cmd == cmd && c.gen == gen {
			c.exitErrs = append(c.exitErrs, fmt.Sprintf("generation %d exited: %v", gen, err))
		}
		c.mu.Unlock()
	}()
	select {
	case <-ready:
		return nil
	case <-done:
		return fmt.Errorf("%s exited before it was ready (see %s)", c.kind.name, logFile.Name())
	case <-time.After(timeout):
		c.stop()
		return fmt.Errorf("%s not ready after %v (see %s)", c.kind.name, timeout, logFile.Name())
	}
}

func (c *clientProc) read(gen int, r io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	readyClosed := false
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // stray output stays in the log file
		}
		switch l.Ev {
		case "ready":
			if !readyClosed {
				close(ready)
				readyClosed = true
			}
		case "ack":
			c.mu.Lock()
			c.acks = append(c.acks, ack{
				key:   c.prefix(gen) + ":" + strconv.FormatInt(l.Seq, 10),
				seq:   l.Seq,
				start: time.UnixMilli(l.Start),
				at:    time.UnixMilli(l.T),
			})
			c.mu.Unlock()
		case "err":
			c.mu.Lock()
			c.errs++
			c.lastErr = l.Err
			c.mu.Unlock()
		}
	}
}

// stop kills the current generation (by its pid) and waits for its output to be read.
func (c *clientProc) stop() {
	c.mu.Lock()
	cmd, done := c.cmd, c.done
	c.cmd = nil
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// running reports whether the current generation is still alive.
func (c *clientProc) running() bool {
	c.mu.Lock()
	done := c.done
	alive := c.cmd != nil
	c.mu.Unlock()
	if !alive {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// firstAckStartedAfter is the first acknowledged write that was sent after t: a write sent
// after the master was killed can only have been acknowledged by a new master.
func (c *clientProc) firstAckStartedAfter(t time.Time) (ack, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return firstStartedAfter(c.acks, t)
}

// firstStartedAfter finds, in acks ordered by send time (one write at a time), the first one
// sent strictly after t. Send times have millisecond resolution, so a write sent in the
// millisecond of t does not count: it may have reached the old master.
func firstStartedAfter(acks []ack, t time.Time) (ack, bool) {
	t = t.Truncate(time.Millisecond)
	i := sort.Search(len(acks), func(i int) bool { return acks[i].start.After(t) })
	if i == len(acks) {
		return ack{}, false
	}
	return acks[i], true
}

func (c *clientProc) snapshot() (acks []ack, errs int, lastErr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ack(nil), c.acks...), c.errs, c.lastErr
}

package render

// prestop.sh runs exactly as rendered, with dash and busybox, against real redis-server
// processes and this project's sentinel (built from cmd/redis-failover-sentinel: the zero-loss
// handover is its SENTINEL FAILOVER) on loopback. The master listens on its own address,
// 127.0.0.2, as a pod has its own IP, and on 127.0.0.1, where the hook reaches its local
// server; POD_IP is set by hand as the downward API would. The log and termination-message
// paths point at temporary files instead of /proc/1/fd/1 and /dev/termination-log.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

const hookMasterName = "mymaster"

var (
	buildSentinelOnce sync.Once
	sentinelBinary    string
	buildSentinelErr  error
)

// ourSentinel builds the project's sentinel once per test binary.
func ourSentinel(t *testing.T) string {
	t.Helper()
	buildSentinelOnce.Do(func() {
		dir, err := os.MkdirTemp("", "prestop-sentinel-")
		if err != nil {
			buildSentinelErr = err
			return
		}
		sentinelBinary = filepath.Join(dir, "redis-failover-sentinel")
		out, err := exec.Command("go", "build", "-o", sentinelBinary,
			"github.com/failover-dev/redis-failover-operator/cmd/redis-failover-sentinel").CombinedOutput()
		if err != nil {
			buildSentinelErr = fmt.Errorf("building the sentinel: %v\n%s", err, out)
		}
	})
	if buildSentinelErr != nil {
		t.Fatal(buildSentinelErr)
	}
	return sentinelBinary
}

// hookShells are the shells of the Redis images, with the tools prestop.sh uses; busybox gets
// its own applets first in PATH.
func hookShells(t *testing.T) []shell {
	t.Helper()
	out := []shell{{name: "dash", argv: []string{"sh"}, path: os.Getenv("PATH")}}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Logf("busybox not installed (hack/toolchain.sh debian installs busybox-static): testing dash only")
		return out
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli not installed: run hack/toolchain.sh debian")
	}
	dir := t.TempDir()
	for _, applet := range []string{"sh", "sed", "tr", "cat", "date", "sleep", "timeout"} {
		if err := os.Symlink(bb, filepath.Join(dir, applet)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(cli, filepath.Join(dir, "redis-cli")); err != nil {
		t.Fatal(err)
	}
	return append(out, shell{name: "busybox", argv: []string{filepath.Join(dir, "sh")}, path: dir})
}

type hookRun struct {
	output, log, termination string
	err                      error
	took                     time.Duration
}

// runPreStop runs prestop.sh as the kubelet would for the container of the server at port.
func runPreStop(t *testing.T, sh shell, podIP string, port int, sentinelHost string, sentinelPort int, timeoutSeconds int) hookRun {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, preStopScriptKey)
	if err := os.WriteFile(script, []byte(preStopScript), 0o555); err != nil {
		t.Fatal(err)
	}
	logFile, termFile := filepath.Join(dir, "container.log"), filepath.Join(dir, "termination-log")
	for _, f := range []string{logFile, termFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(sh.argv[0], append(sh.argv[1:], script, strconv.Itoa(port), filepath.Join(dir, "no-password"),
		sentinelHost, strconv.Itoa(sentinelPort), hookMasterName, strconv.Itoa(timeoutSeconds))...)
	cmd.Env = append([]string{"PATH=" + sh.path, "HOME=" + dir, "POD_IP=" + podIP,
		"PRESTOP_LOG_FILE=" + logFile, "PRESTOP_TERMINATION_LOG=" + termFile}, sh.env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	run := hookRun{output: string(out), err: err, took: time.Since(start)}
	b, _ := os.ReadFile(logFile)
	run.log = string(b)
	b, _ = os.ReadFile(termFile)
	run.termination = string(b)
	t.Logf("prestop.sh (%s) exited after %v with %v:\n%s", sh.name, run.took.Round(time.Millisecond), err, out)
	return run
}

type hookCluster struct {
	master    *redistest.Server
	replicas  []*redistest.Server
	sentinels []*redistest.Sentinel
}

// startHookCluster starts a master on 127.0.0.2 (and 127.0.0.1), replicas with the given
// priorities on 127.0.0.1 and n of this project's sentinels.
func startHookCluster(t *testing.T, priorities []int, n int) *hookCluster {
	t.Helper()
	c := &hookCluster{}
	c.master = redistest.StartServer(t, redistest.ServerOptions{Host: "127.0.0.2", Directives: []string{"bind 127.0.0.2 127.0.0.1"}})
	procs := []*redistest.Process{}
	for _, p := range priorities {
		r := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: c.master.Process, ReplicaPriority: redistest.Priority(p)})
		c.replicas = append(c.replicas, r)
		procs = append(procs, r.Process)
	}
	redistest.WaitReplicaOnline(t, 20*time.Second, c.master.Process, procs...)
	binary := ourSentinel(t)
	for i := 0; i < n; i++ {
		c.sentinels = append(c.sentinels, redistest.StartSentinel(t, redistest.SentinelOptions{
			Binary: binary,
			Monitors: []redistest.Monitor{{Name: hookMasterName, Master: c.master.Process, Quorum: n/2 + 1,
				DownAfter: 5 * time.Second, FailoverTimeout: 10 * time.Second}},
		}))
	}
	redistest.WaitSentinelReady(t, 30*time.Second, hookMasterName, c.master.Process, len(priorities), n-1, c.sentinels...)
	return c
}

func (c *hookCluster) sentinelAddrs() []string {
	var addrs []string
	for _, s := range c.sentinels {
		addrs = append(addrs, s.Addr())
	}
	return addrs
}

// checkingWriter writes a unique key about every 2 ms through a go-redis FailoverClient (it asks
// the sentinels for the master, as applications do) and remembers every acknowledged key and
// the longest time between two acknowledgements.
type checkingWriter struct {
	client  *redis.Client
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	acked   []string
	lastAck time.Time
	maxGap  time.Duration
}

func startCheckingWriter(t *testing.T, sentinels []string) *checkingWriter {
	t.Helper()
	w := &checkingWriter{
		client: redis.NewFailoverClient(&redis.FailoverOptions{MasterName: hookMasterName, SentinelAddrs: sentinels,
			DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second}),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			key := fmt.Sprintf("w:%d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := w.client.Set(ctx, key, i, 0).Err()
			cancel()
			if err == nil {
				now := time.Now()
				w.mu.Lock()
				if !w.lastAck.IsZero() && now.Sub(w.lastAck) > w.maxGap {
					w.maxGap = now.Sub(w.lastAck)
				}
				w.lastAck = now
				w.acked = append(w.acked, key)
				w.mu.Unlock()
			}
			time.Sleep(2 * time.Millisecond) // paces the workload (a few hundred writes/s), not a wait
		}
	}()
	t.Cleanup(func() { w.halt(); _ = w.client.Close() })
	return w
}

func (w *checkingWriter) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

func (w *checkingWriter) acks() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

func (w *checkingWriter) waitMoreAcks(t *testing.T, n int) {
	t.Helper()
	target := w.acks() + n
	poll.Eventually(t, 20*time.Second, fmt.Sprintf("%d acknowledged writes", target), func(context.Context) error {
		if got := w.acks(); got < target {
			return fmt.Errorf("%d acknowledged", got)
		}
		return nil
	})
}

// lost returns the acknowledged keys missing on the server at addr.
func (w *checkingWriter) lost(t *testing.T, master *redis.Client) []string {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var missing []string
	for chunk := range slices.Chunk(w.acked, 500) {
		vals, err := master.MGet(context.Background(), chunk...).Result()
		if err != nil {
			t.Fatalf("MGET on %s: %v", master.Options().Addr, err)
		}
		for i, v := range vals {
			if v == nil {
				missing = append(missing, chunk[i])
			}
		}
	}
	return missing
}

func TestPreStopOfMasterHandsOverWithoutLosingAcknowledgedWrites(t *testing.T) {
	for _, sh := range hookShells(t) {
		t.Run(sh.name, func(t *testing.T) {
			c := startHookCluster(t, []int{100, 100}, 3)
			w := startCheckingWriter(t, c.sentinelAddrs())
			w.waitMoreAcks(t, 200)

			s := c.sentinels[1]
			run := runPreStop(t, sh, c.master.Host(), c.master.Port(), s.Host(), s.Port(), handoverTimeoutSeconds)
			if run.err != nil {
				t.Fatalf("prestop.sh failed: %v\n%s", run.err, run.output)
			}
			if !strings.Contains(run.output, "handed over") || !strings.Contains(run.log, "handed over") {
				t.Errorf("prestop.sh should report the handover on its output and in the container log; output:\n%s\nlog:\n%s", run.output, run.log)
			}
			// When the hook returns the old master already follows the new one: the kubelet may
			// stop it now without losing anything.
			info, err := redistest.InfoReplication(context.Background(), c.master.Client())
			if err != nil {
				t.Fatal(err)
			}
			if info["role"] != "slave" {
				t.Fatalf("after the hook the old master reports role %q, want slave", info["role"])
			}
			newMaster, err := s.MasterAddr(context.Background(), s.SentinelClient(), hookMasterName)
			if err != nil {
				t.Fatal(err)
			}
			if newMaster == c.master.Addr() {
				t.Fatalf("the sentinels still name the old master %s", newMaster)
			}
			w.waitMoreAcks(t, 200) // writes flow again, to the new master
			c.master.Kill()        // what the kubelet does next
			w.waitMoreAcks(t, 50)
			w.halt()

			var final *redistest.Server
			for _, r := range c.replicas {
				if r.Addr() == newMaster {
					final = r
				}
			}
			if final == nil {
				t.Fatalf("new master %s is none of the replicas", newMaster)
			}
			if missing := w.lost(t, final.Client()); len(missing) > 0 {
				t.Fatalf("%d of %d acknowledged writes are missing on the new master %s, e.g. %v", len(missing), w.acks(), newMaster, missing[:min(5, len(missing))])
			}
			// A figure for the log, not an assertion: timing depends on the machine.
			t.Logf("0 of %d acknowledged writes lost; longest gap between acknowledgements %v; hook took %v",
				w.acks(), w.maxGap.Round(time.Millisecond), run.took.Round(time.Millisecond))
		})
	}
}

func TestPreStopOfReplicaReturnsAtOnce(t *testing.T) {
	c := startHookCluster(t, []int{100}, 1)
	for _, sh := range hookShells(t) {
		t.Run(sh.name, func(t *testing.T) {
			r := c.replicas[0]
			run := runPreStop(t, sh, r.Host(), r.Port(), c.sentinels[0].Host(), c.sentinels[0].Port(), handoverTimeoutSeconds)
			if run.err != nil || !strings.Contains(run.output, "this node is a replica: nothing to hand over") {
				t.Fatalf("prestop.sh on a replica: %v\n%s", run.err, run.output)
			}
			master, err := c.sentinels[0].MasterAddr(context.Background(), c.sentinels[0].SentinelClient(), hookMasterName)
			if err != nil || master != c.master.Addr() {
				t.Fatalf("a replica's hook must not move the master: the sentinel names %s (%v), want %s", master, err, c.master.Addr())
			}
		})
	}
}

func TestPreStopGivesUpAtOnceWhenNoReplicaCanTakeOver(t *testing.T) {
	// replica-priority 0: the only replica may never be promoted, so the sentinel answers
	// NOGOODSLAVE and the hook must say so and exit rather than wait out its timeout.
	c := startHookCluster(t, []int{0}, 1)
	for _, sh := range hookShells(t) {
		t.Run(sh.name, func(t *testing.T) {
			run := runPreStop(t, sh, c.master.Host(), c.master.Port(), c.sentinels[0].Host(), c.sentinels[0].Port(), 60)
			assertGaveUp(t, run, "no replica can take over", "NOGOODSLAVE")
			info, err := redistest.InfoReplication(context.Background(), c.master.Client())
			if err != nil || info["role"] != "master" {
				t.Fatalf("the master must stay master when nobody can take over: role %q (%v)", info["role"], err)
			}
		})
	}
}

func TestPreStopGivesUpAtOnceWithoutSentinels(t *testing.T) {
	c := startHookCluster(t, []int{100}, 1)
	closed := freePort(t) // nothing listens there
	for _, sh := range hookShells(t) {
		t.Run(sh.name, func(t *testing.T) {
			run := runPreStop(t, sh, c.master.Host(), c.master.Port(), "127.0.0.1", closed, 60)
			assertGaveUp(t, run, "no sentinel answers", "127.0.0.1:"+strconv.Itoa(closed))
		})
	}
}

// assertGaveUp checks that the hook failed (the kubelet then records a FailedPreStopHook Event
// with its output) without waiting for its timeout, and said why everywhere a user looks.
func assertGaveUp(t *testing.T, run hookRun, why ...string) {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(run.err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("prestop.sh should exit 1, got %v\n%s", run.err, run.output)
	}
	for _, text := range []string{run.output, run.log, run.termination} {
		for _, w := range why {
			if !strings.Contains(text, w) {
				t.Errorf("%q missing from the hook's output, container log or termination message:\n%s", w, text)
			}
		}
	}
	// Given 60 s, the hook must have acted on the first answers, not run into its deadline.
	if strings.Contains(run.output, "no handover within") {
		t.Errorf("prestop.sh waited for its deadline instead of acting on the sentinel's answer:\n%s", run.output)
	}
}

package render

// start.sh runs exactly as rendered, with dash and busybox, against real redis-server and
// redis-sentinel 7.0.15 processes on loopback (stock redis-sentinel stands in for this project's
// sentinel: both answer SENTINEL GET-MASTER-ADDR-BY-NAME the same way). POD_IP is set by hand,
// as the downward API would.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// runStartScript starts start.sh (which execs redis-server) in the background with POD_IP set,
// waits until the node accepts connections and returns a client and what the script printed.
func runStartScript(t *testing.T, sh shell, port, sentinelPort int, masterName, podIP string) (*redis.Client, *bytes.Buffer) {
	t.Helper()
	return runStartScriptWithPassword(t, sh, port, sentinelPort, masterName, podIP, "")
}

// runStartScriptWithPassword is runStartScript with a mounted password file when password is not "".
// The port comes from freePort, so another process on the machine can bind it first; then
// redis-server exits with "Address already in use" (or the port answers with another process),
// and the script is started again on a new port: a lost race for a port, not a flaky result.
func runStartScriptWithPassword(t *testing.T, sh shell, port, sentinelPort int, masterName, podIP, password string) (*redis.Client, *bytes.Buffer) {
	t.Helper()
	const attempts = 5
	for i := 1; ; i++ {
		c, output, err := tryStartScript(t, sh, port, sentinelPort, masterName, podIP, password)
		if err == nil {
			return c, output
		}
		if !errors.Is(err, errPortTaken) || i == attempts {
			t.Fatalf("start.sh: %v", err)
		}
		t.Logf("attempt %d: %v; retrying on a new port", i, err)
		port = freePort(t)
	}
}

var errPortTaken = errors.New("the port was taken by another process")

func tryStartScript(t *testing.T, sh shell, port, sentinelPort int, masterName, podIP, password string) (*redis.Client, *bytes.Buffer, error) {
	t.Helper()
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	dir, tmpl, pwFile, out := writeInitInputs(t, "", pw)
	if err := os.WriteFile(tmpl, []byte(hostRedisConf(t, dir, port)+"bind 127.0.0.1\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	scripts := t.TempDir()
	for name, text := range map[string]string{"init.sh": initScript, "start.sh": startScript} {
		if err := os.WriteFile(filepath.Join(scripts, name), []byte(text), 0o555); err != nil {
			t.Fatal(err)
		}
	}
	server, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not installed: run hack/toolchain.sh debian")
	}
	cmd := exec.Command(sh.argv[0], append(sh.argv[1:], filepath.Join(scripts, "start.sh"),
		tmpl, pwFile, out, "(no spec.auth)", strconv.Itoa(port), "127.0.0.1", strconv.Itoa(sentinelPort), masterName)...)
	cmd.Env = []string{"PATH=" + sh.path + ":" + filepath.Dir(server), "HOME=" + dir, "POD_IP=" + podIP}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Password: password, Protocol: 2})
	// start.sh execs redis-server, so the server that answers must report the script's pid; a
	// port that answers with another pid belongs to someone else.
	// A result that no later check can change ends the wait at once, through the context.
	ctx, giveUp := context.WithCancelCause(context.Background())
	defer giveUp(nil)
	final := func(err error) error { giveUp(err); return err }
	err = poll.Until(ctx, 15*time.Second, 20*time.Millisecond, func(ctx context.Context) error {
		select {
		case err := <-exited:
			exited <- err
			if strings.Contains(output.String(), "Address already in use") {
				return final(fmt.Errorf("%w (port %d): %s", errPortTaken, port, output.String()))
			}
			return final(fmt.Errorf("start.sh exited: %v\n%s", err, output.String()))
		default:
		}
		info, err := c.Info(ctx, "server").Result()
		if err != nil {
			return err
		}
		if pid := infoField(info, "process_id"); pid != strconv.Itoa(cmd.Process.Pid) {
			return final(fmt.Errorf("%w (port %d answers as pid %q, start.sh is pid %d)", errPortTaken, port, pid, cmd.Process.Pid))
		}
		return nil
	})
	if err != nil {
		_ = c.Close()
		stop()
		return nil, nil, err
	}
	t.Cleanup(func() {
		_ = c.Close()
		stop()
		if t.Failed() {
			t.Logf("start.sh and redis-server output:\n%s", output.String())
		}
	})
	return c, &output, nil
}

// infoField is the value of field in an INFO reply, "" when absent.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// startMasterAndSentinel runs a master holding one key and a stock sentinel monitoring it under name.
func startMasterAndSentinel(t *testing.T, name string) (masterPort, sentinelPort int, master *redis.Client) {
	t.Helper()
	return startMasterAndSentinelWithPassword(t, name, "")
}

// startMasterAndSentinelWithPassword is startMasterAndSentinel with the password as requirepass
// of the master and the sentinel (and the sentinel's auth-pass), as init.sh and the controller set them.
func startMasterAndSentinelWithPassword(t *testing.T, name, password string) (masterPort, sentinelPort int, master *redis.Client) {
	t.Helper()
	masterPort = freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "master.conf")
	auth := ""
	if password != "" {
		auth = fmt.Sprintf("requirepass %q\nmasterauth %q\n", password, password)
	}
	if err := os.WriteFile(conf, []byte(hostRedisConf(t, dir, masterPort)+"bind 127.0.0.1\n"+auth), 0o644); err != nil {
		t.Fatal(err)
	}
	startServer(t, "redis-server", conf, masterPort)
	master = redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(masterPort)), Password: password, Protocol: 2})
	t.Cleanup(func() { _ = master.Close() })
	if err := master.Set(context.Background(), "acknowledged", "before-restart", 0).Err(); err != nil {
		t.Fatal(err)
	}
	sentinelPort = freePort(t)
	sconf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %d 1\n", sentinelPort, dir, name, masterPort)
	if password != "" {
		text += fmt.Sprintf("requirepass %q\nsentinel auth-pass %s %q\n", password, name, password)
	}
	if err := os.WriteFile(sconf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	startServer(t, "redis-sentinel", sconf, sentinelPort)
	return masterPort, sentinelPort, master
}

// assertServesNothing checks that a fenced node is a replica whose link stays down and that it
// refuses reads and writes.
func assertServesNothing(t *testing.T, c *redis.Client) {
	t.Helper()
	ctx := context.Background()
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	if !strings.Contains(info, "role:slave") || !strings.Contains(info, "master_link_status:down") {
		t.Errorf("INFO replication = %q, want a replica with its link down", info)
	}
	if err := c.Get(ctx, "acknowledged").Err(); err == nil || !strings.Contains(err.Error(), "MASTERDOWN") {
		t.Errorf("GET on a fenced node: err = %v, want MASTERDOWN", err)
	}
	if err := c.Set(ctx, "k", "v", 0).Err(); err == nil {
		t.Error("SET on a fenced node succeeded, want an error")
	}
}

func TestStartScriptFollowsTheMasterTheSentinelsName(t *testing.T) {
	const name = "shop"
	masterPort, sentinelPort, _ := startMasterAndSentinel(t, name)
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			c, output := runStartScript(t, sh, freePort(t), sentinelPort, name, "10.1.2.3")
			poll.Eventually(t, 15*time.Second, "the node to sync from the sentinels' master", func(ctx context.Context) error {
				info, err := c.Info(ctx, "replication").Result()
				if err != nil {
					return err
				}
				if !strings.Contains(info, "master_port:"+strconv.Itoa(masterPort)) || !strings.Contains(info, "master_link_status:up") {
					return fmt.Errorf("not synced: %q", info)
				}
				return nil
			})
			if got, err := c.Get(context.Background(), "acknowledged").Result(); err != nil || got != "before-restart" {
				t.Errorf("GET acknowledged = %q, %v; want the master's value", got, err)
			}
			if !strings.Contains(output.String(), "starting as its replica") {
				t.Errorf("start.sh did not say whom it follows:\n%s", output)
			}
		})
	}
}

func TestStartScriptFencesANodeTheSentinelsNameAsMaster(t *testing.T) {
	const name = "shop"
	_, sentinelPort, _ := startMasterAndSentinel(t, name)
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			// The sentinel names 127.0.0.1, this node's POD_IP: the master restarted in place.
			c, output := runStartScript(t, sh, freePort(t), sentinelPort, name, "127.0.0.1")
			assertServesNothing(t, c)
			if !strings.Contains(output.String(), "restarted in place") {
				t.Errorf("start.sh did not say why it fenced the node:\n%s", output)
			}
		})
	}
}

func TestStartScriptFencesANodeWhenNoSentinelAnswers(t *testing.T) {
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			// Nothing listens on the sentinel port, as at bootstrap before the sentinels run.
			c, output := runStartScript(t, sh, freePort(t), freePort(t), "shop", "10.1.2.3")
			assertServesNothing(t, c)
			if !strings.Contains(output.String(), "no sentinel names a master") {
				t.Errorf("start.sh did not say why it fenced the node:\n%s", output)
			}
		})
	}
}

func TestStartScriptFencesANodeWhenTheSentinelKnowsNoSuchMaster(t *testing.T) {
	_, sentinelPort, _ := startMasterAndSentinel(t, "other")
	c, _ := runStartScript(t, shells(t)[0], freePort(t), sentinelPort, "shop", "10.1.2.3")
	assertServesNothing(t, c)
}

func TestStartScriptAsksTheSentinelWithThePassword(t *testing.T) {
	const name, password = "shop", "s3cret pass"
	masterPort, sentinelPort, _ := startMasterAndSentinelWithPassword(t, name, password)
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			c, _ := runStartScriptWithPassword(t, sh, freePort(t), sentinelPort, name, "10.1.2.3", password)
			poll.Eventually(t, 15*time.Second, "the node to sync from the sentinels' master with masterauth", func(ctx context.Context) error {
				info, err := c.Info(ctx, "replication").Result()
				if err != nil {
					return err
				}
				if !strings.Contains(info, "master_port:"+strconv.Itoa(masterPort)) || !strings.Contains(info, "master_link_status:up") {
					return fmt.Errorf("not synced: %q", info)
				}
				return nil
			})
		})
	}
}

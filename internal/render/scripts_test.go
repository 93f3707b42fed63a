package render

// These tests run the init and readiness scripts exactly as rendered, with the host's sh (dash,
// as in the Debian Redis image) and with busybox (as in the Alpine image), against real
// redis-server and redis-sentinel 7.0.15 processes on loopback. Stock redis-sentinel stands in
// for this project's sentinel, which implements the same config and SENTINEL SET syntax.
// Only two things differ from a pod, both because the pod's mounts do not exist on the host:
// the rendered "dir /data" points at a temporary directory, and the port is a free one; a
// "bind 127.0.0.1" line is appended so that nothing listens beyond loopback.

import (
	"k8s.io/utils/ptr"

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
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// shell runs a script with one of the shells the Redis images have.
type shell struct {
	name string
	// argv0 and extra PATH entries; busybox gets a directory of applet symlinks first in PATH so
	// that od, tr, sed and friends are busybox's, not coreutils'.
	argv []string
	path string
	// env is added to the script's environment.
	env []string
}

func shells(t *testing.T) []shell {
	t.Helper()
	out := []shell{{name: "dash", argv: []string{"sh"}, path: os.Getenv("PATH")}}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Logf("busybox not installed (hack/toolchain.sh debian installs busybox-static): testing dash only")
		return out
	}
	dir := t.TempDir()
	for _, applet := range []string{"sh", "od", "tr", "sed", "wc", "cat", "mv", "chmod", "grep", "printf", "timeout", "dirname"} {
		if err := os.Symlink(bb, filepath.Join(dir, applet)); err != nil {
			t.Fatal(err)
		}
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli not installed: run hack/toolchain.sh debian")
	}
	if err := os.Symlink(cli, filepath.Join(dir, "redis-cli")); err != nil {
		t.Fatal(err)
	}
	return append(out, shell{name: "busybox", argv: []string{filepath.Join(dir, "sh")}, path: dir})
}

func (s shell) run(t *testing.T, script string, args ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(file, []byte(script), 0o555); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.argv[0], append(append(s.argv[1:], file), args...)...)
	cmd.Env = append([]string{"PATH=" + s.path, "HOME=" + dir}, s.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs binary with conf and waits until it accepts connections.
func startServer(t *testing.T, binary, conf string, port int) {
	t.Helper()
	path, err := exec.LookPath(binary)
	if err != nil {
		t.Fatalf("%s not installed: run hack/toolchain.sh debian", binary)
	}
	logFile := filepath.Join(filepath.Dir(conf), binary+".log")
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, conf)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, killed whole: a child it forked (the AOF rewrite that CONFIG SET
	// appendonly yes starts) would otherwise outlive it and keep writing into the test's
	// directory while the test removes it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		_ = log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile)
			t.Logf("%s log:\n%s", binary, b)
		}
	})
	poll.Eventually(t, 10*time.Second, binary+" accepting connections", func(ctx context.Context) error {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("%s exited: %v", binary, err)
		default:
		}
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// hostRedisConf is the rendered redis.conf with the pod paths pointed at dir.
func hostRedisConf(t *testing.T, dir string, port int) string {
	t.Helper()
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.Port = int32(port)
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"save \"\"", "appendonly no"}
		// One process here stands for the master: no replica could acknowledge its writes.
		rf.Spec.Redis.MinReplicasToWrite = ptr.To[int32](0)
	}).WithDefaults()
	conf, err := redisConf(rf)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(conf, "\ndir "+redisDataDir+"\n", "\ndir "+dir+"\n", 1)
}

// writeInitInputs writes the template and password files and returns their paths and the output path.
func writeInitInputs(t *testing.T, template string, password []byte) (dir, tmpl, pwFile, out string) {
	t.Helper()
	dir = t.TempDir()
	tmpl = filepath.Join(dir, "template.conf")
	pwFile = filepath.Join(dir, "password")
	out = filepath.Join(dir, "server.conf")
	if err := os.WriteFile(tmpl, []byte(template), 0o444); err != nil {
		t.Fatal(err)
	}
	if password != nil {
		if err := os.WriteFile(pwFile, password, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	return dir, tmpl, pwFile, out
}

func appendLine(t *testing.T, file, line string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// Passwords chosen to break naive quoting: quotes, backslashes, blanks, shell syntax, a
// redis.conf directive after a quote, and non-ASCII bytes.
var trickyPasswords = []string{
	"simple",
	`quo"te`,
	`back\slash\x41`,
	"two words",
	`$(touch /tmp/pwned) ` + "`id`",
	`x" masterauth "y`,
	"'single'",
	"ünïcödé€",
	strings.Repeat("p", 512),
}

func TestInitScriptGivesRedisThePassword(t *testing.T) {
	for _, sh := range shells(t) {
		for i, password := range trickyPasswords {
			t.Run(fmt.Sprintf("%s/%d", sh.name, i), func(t *testing.T) {
				port := freePort(t)
				dir, tmpl, pwFile, out := writeInitInputs(t, "", []byte(password))
				if err := os.WriteFile(tmpl, []byte(hostRedisConf(t, dir, port)), 0o444); err != nil {
					t.Fatal(err)
				}
				if msg, err := sh.run(t, initScript, "redis", tmpl, pwFile, out, "Secret shop/auth key password"); err != nil {
					t.Fatalf("init.sh: %v\n%s", err, msg)
				}
				written, _ := os.ReadFile(out)
				if bytes.Contains(written, []byte(password)) {
					t.Errorf("the written config holds the password unescaped:\n%s", written)
				}
				appendLine(t, out, "bind 127.0.0.1")
				startServer(t, "redis-server", out, port)

				ctx := context.Background()
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
				authed := redis.NewClient(&redis.Options{Addr: addr, Password: password, Protocol: 2})
				defer authed.Close()
				if err := authed.Ping(ctx).Err(); err != nil {
					t.Fatalf("PING with the password: %v", err)
				}
				if got := authed.ConfigGet(ctx, "masterauth").Val()["masterauth"]; got != password {
					t.Errorf("masterauth = %q, want the password", got)
				}
				// The main config lives on a writable volume, so the CONFIG REWRITE the sentinels
				// send during a failover succeeds and a restarted container keeps its role.
				if err := authed.ConfigRewrite(ctx).Err(); err != nil {
					t.Errorf("CONFIG REWRITE: %v", err)
				}
				anon := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
				defer anon.Close()
				if err := anon.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
					t.Errorf("PING without a password: err = %v, want NOAUTH", err)
				}
			})
		}
	}
}

func TestInitScriptWithoutAuth(t *testing.T) {
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			port := freePort(t)
			dir, tmpl, pwFile, out := writeInitInputs(t, "", nil)
			if err := os.WriteFile(tmpl, []byte(hostRedisConf(t, dir, port)), 0o444); err != nil {
				t.Fatal(err)
			}
			if msg, err := sh.run(t, initScript, "redis", tmpl, pwFile, out, "(no spec.auth)"); err != nil {
				t.Fatalf("init.sh: %v\n%s", err, msg)
			}
			appendLine(t, out, "bind 127.0.0.1")
			startServer(t, "redis-server", out, port)
			c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2})
			defer c.Close()
			if err := c.Ping(context.Background()).Err(); err != nil {
				t.Fatalf("PING without auth configured: %v", err)
			}
		})
	}
}

func TestInitScriptRefusesBadPasswords(t *testing.T) {
	for _, sh := range shells(t) {
		for password, want := range map[string]string{
			"":            "is empty",
			"secret\n":    "control character",
			"sec\rret":    "control character",
			"a\x00b":      "control character",
			"tab\tinside": "control character",
		} {
			t.Run(fmt.Sprintf("%s/%q", sh.name, password), func(t *testing.T) {
				_, tmpl, pwFile, out := writeInitInputs(t, "port 1\n", []byte(password))
				msg, err := sh.run(t, initScript, "redis", tmpl, pwFile, out, "Secret shop/auth key password")
				var exit *exec.ExitError
				if !errors.As(err, &exit) || !strings.Contains(msg, want) || !strings.Contains(msg, "Secret shop/auth key password") {
					t.Errorf("init.sh: err = %v, output %q; want a failure naming the Secret and %q", err, msg, want)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("init.sh left a config file behind after refusing the password")
				}
			})
		}
	}
}

func TestInitScriptGivesSentinelThePassword(t *testing.T) {
	// A real master for the sentinel to monitor, with the same password.
	password := `s3"cr\et pass`
	redisPort := freePort(t)
	dir, tmpl, pwFile, out := writeInitInputs(t, "", []byte(password))
	if err := os.WriteFile(tmpl, []byte(hostRedisConf(t, dir, redisPort)), 0o444); err != nil {
		t.Fatal(err)
	}
	sh := shells(t)[0]
	if msg, err := sh.run(t, initScript, "redis", tmpl, pwFile, out, "Secret shop/auth key password"); err != nil {
		t.Fatalf("init.sh redis: %v\n%s", err, msg)
	}
	appendLine(t, out, "bind 127.0.0.1")
	startServer(t, "redis-server", out, redisPort)

	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			port := freePort(t)
			rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Sentinel.CustomConfig = []redisv1alpha1.SentinelConfigLine{"master-reboot-down-after-period 60000"}
			}).WithDefaults()
			template := sentinelConf(rf)
			sdir, stmpl, spw, sout := writeInitInputs(t, "", []byte(password))
			template = strings.Replace(template, "\ndir "+sentinelDataDir+"\n", "\ndir "+sdir+"\n", 1)
			template = strings.Replace(template, "\nport 26379\n", "\nport "+strconv.Itoa(port)+"\n", 1)
			if err := os.WriteFile(stmpl, []byte(template), 0o444); err != nil {
				t.Fatal(err)
			}
			if msg, err := sh.run(t, initScript, "sentinel", stmpl, spw, sout, "Secret shop/auth key password"); err != nil {
				t.Fatalf("init.sh sentinel: %v\n%s", err, msg)
			}
			appendLine(t, sout, "bind 127.0.0.1")
			startServer(t, "redis-sentinel", sout, port)

			ctx := context.Background()
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			anon := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
			defer anon.Close()
			if err := anon.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
				t.Errorf("sentinel PING without a password: err = %v, want NOAUTH", err)
			}

			// What the controller does once it knows the master: MONITOR, auth-pass, then the
			// rendered options. Stock sentinel must accept every one of them.
			c := redis.NewClient(&redis.Options{Addr: addr, Password: password, Protocol: 2})
			defer c.Close()
			name := rf.MasterName()
			quorum := strconv.Itoa(int(rf.Spec.Sentinel.EffectiveQuorum()))
			if err := c.Do(ctx, "SENTINEL", "MONITOR", name, "127.0.0.1", strconv.Itoa(redisPort), quorum).Err(); err != nil {
				t.Fatalf("SENTINEL MONITOR: %v", err)
			}
			if err := c.Do(ctx, "SENTINEL", "SET", name, "auth-pass", password).Err(); err != nil {
				t.Fatalf("SENTINEL SET auth-pass: %v", err)
			}
			opts, err := SentinelMasterOptions(rf)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range opts {
				if err := c.Do(ctx, "SENTINEL", "SET", name, o.Name, o.Value).Err(); err != nil {
					t.Errorf("SENTINEL SET %s %s: %v", o.Name, o.Value, err)
				}
			}
			// The sentinel reaches the master with the password: its link to it comes up.
			poll.Eventually(t, 10*time.Second, "the sentinel to see the master with auth", func(ctx context.Context) error {
				m, err := c.Do(ctx, "SENTINEL", "MASTER", name).Slice()
				if err != nil {
					return err
				}
				fields := map[string]string{}
				for i := 0; i+1 < len(m); i += 2 {
					fields[fmt.Sprint(m[i])] = fmt.Sprint(m[i+1])
				}
				if fields["flags"] != "master" || fields["role-reported"] != "master" {
					return fmt.Errorf("flags %q role-reported %q", fields["flags"], fields["role-reported"])
				}
				if fields["down-after-milliseconds"] != strconv.Itoa(int(rf.Spec.Sentinel.EffectiveDownAfterMilliseconds())) {
					return fmt.Errorf("down-after-milliseconds %q", fields["down-after-milliseconds"])
				}
				return nil
			})
		})
	}
}

func TestReadinessScript(t *testing.T) {
	password := "ready pass"
	start := func(t *testing.T) (port int, pwFile string) {
		port = freePort(t)
		dir, tmpl, pw, out := writeInitInputs(t, "", []byte(password))
		if err := os.WriteFile(tmpl, []byte(hostRedisConf(t, dir, port)), 0o444); err != nil {
			t.Fatal(err)
		}
		if msg, err := shells(t)[0].run(t, initScript, "redis", tmpl, pw, out, "Secret shop/auth key password"); err != nil {
			t.Fatalf("init.sh: %v\n%s", err, msg)
		}
		appendLine(t, out, "bind 127.0.0.1")
		startServer(t, "redis-server", out, port)
		return port, pw
	}
	masterPort, pwFile := start(t)
	replicaPort, _ := start(t)
	replica := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(replicaPort)), Password: password, Protocol: 2})
	defer replica.Close()

	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			ctx := context.Background()
			if msg, err := sh.run(t, readinessScript, strconv.Itoa(masterPort), pwFile); err != nil {
				t.Errorf("master not ready: %v\n%s", err, msg)
			}
			// A replica whose master does not answer is not ready.
			if err := replica.SlaveOf(ctx, "127.0.0.1", strconv.Itoa(freePort(t))).Err(); err != nil {
				t.Fatal(err)
			}
			msg, err := sh.run(t, readinessScript, strconv.Itoa(replicaPort), pwFile)
			if err == nil || !strings.Contains(msg, "master_link_status:down") {
				t.Errorf("replica without a master: err = %v, output %q; want not ready with the link status", err, msg)
			}
			// Following the real master, it becomes ready once the link is up.
			if err := replica.SlaveOf(ctx, "127.0.0.1", strconv.Itoa(masterPort)).Err(); err != nil {
				t.Fatal(err)
			}
			poll.Eventually(t, 15*time.Second, "the replica to become ready", func(context.Context) error {
				if msg, err := sh.run(t, readinessScript, strconv.Itoa(replicaPort), pwFile); err != nil {
					return fmt.Errorf("%v: %s", err, msg)
				}
				return nil
			})
			// Without the password the probe cannot ask, and says not ready.
			if _, err := sh.run(t, readinessScript, strconv.Itoa(masterPort)); err == nil {
				t.Error("readiness without the password file passed against a password-protected master")
			}
		})
	}
}

// With INFO renamed (spec.redis.customCommandRenames), the probe asks under the new name, which
// the pod spec passes in RENAMED_COMMANDS; without it the probe cannot ask and says not ready.
func TestReadinessScriptUsesRenamedInfo(t *testing.T) {
	port := freePort(t)
	dir, tmpl, pw, out := writeInitInputs(t, "", nil)
	conf := hostRedisConf(t, dir, port) + "rename-command info info-5b\n"
	if err := os.WriteFile(tmpl, []byte(conf), 0o444); err != nil {
		t.Fatal(err)
	}
	if msg, err := shells(t)[0].run(t, initScript, "redis", tmpl, pw, out, "(no spec.auth)"); err != nil {
		t.Fatalf("init.sh: %v\n%s", err, msg)
	}
	appendLine(t, out, "bind 127.0.0.1")
	startServer(t, "redis-server", out, port)
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			renamed := sh
			renamed.env = []string{EnvRenamedCommands + "=config=cfg-5b info=info-5b"}
			if msg, err := renamed.run(t, readinessScript, strconv.Itoa(port)); err != nil {
				t.Errorf("master with INFO renamed not ready: %v\n%s", err, msg)
			}
			if msg, err := sh.run(t, readinessScript, strconv.Itoa(port)); err == nil {
				t.Errorf("the probe passed without the new name of INFO: %s", msg)
			}
		})
	}
}

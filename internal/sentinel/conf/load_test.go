package conf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const id1 = "0123456789abcdef0123456789abcdef01234567"
const id2 = "fedcba9876543210fedcba9876543210fedcba98"

func writeConf(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func executable(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadEveryDirective(t *testing.T) {
	script := executable(t)
	path := writeConf(t, `# per-master lines may come before their monitor line
sentinel down-after-milliseconds mymaster 5000
port 26380
bind 127.0.0.1 -::1
dir /tmp
logfile "/tmp/sentinel log"
loglevel WARNING
daemonize no
pidfile /tmp/s.pid
protected-mode yes
requirepass "top secret"
user admin on >adminpw ~* &* +@all
SENTINEL monitor mymaster 10.0.0.1 6379 2
sentinel failover-timeout mymaster 60000
sentinel parallel-syncs mymaster 3
sentinel notification-script mymaster `+script+`
sentinel client-reconfig-script mymaster `+script+`
sentinel auth-pass mymaster 'pass word'
sentinel auth-user mymaster default
sentinel master-reboot-down-after-period mymaster 2000
sentinel config-epoch mymaster 7
sentinel leader-epoch mymaster 6
sentinel known-slave mymaster 10.0.0.2 6379
sentinel known-replica mymaster 10.0.0.3 6380
sentinel known-sentinel mymaster 10.0.0.4 26379 `+id2+`
sentinel known-sentinel mymaster 10.0.0.5 26379
sentinel rename-command mymaster CONFIG GUESSME
sentinel current-epoch 5
sentinel myid `+id1+`
sentinel announce-ip 192.168.1.1
sentinel announce-port 26999
sentinel deny-scripts-reconfig no
sentinel sentinel-user sentinel-admin
sentinel sentinel-pass s3cret
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel monitor other redis.example.com 6379 1
maxclients 1000
save ""
sentinel
`)
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Path:          path,
		Port:          26380,
		Bind:          []string{"127.0.0.1", "-::1"},
		Dir:           "/tmp",
		WorkDir:       "/tmp",
		LogFile:       "/tmp/sentinel log",
		LogLevel:      "warning",
		PidFile:       "/tmp/s.pid",
		ProtectedMode: true,
		RequirePass:   "top secret",
		Users:         [][]string{{"admin", "on", ">adminpw", "~*", "&*", "+@all"}},
		Other:         []Directive{{Line: 38, Args: []string{"maxclients", "1000"}}, {Line: 39, Args: []string{"save", ""}}},

		MyID:                id1,
		CurrentEpoch:        7, // raised by config-epoch, as redis does
		AnnounceIP:          "192.168.1.1",
		AnnouncePort:        26999,
		DenyScriptsReconfig: false,
		SentinelUser:        "sentinel-admin",
		SentinelPass:        "s3cret",
		ResolveHostnames:    true,
		AnnounceHostnames:   true,
		Masters: []*Master{
			{
				Name: "mymaster", Host: "10.0.0.1", Port: 6379, Quorum: 2,
				DownAfter:                   5 * time.Second,
				FailoverTimeout:             time.Minute,
				ParallelSyncs:               3,
				NotificationScript:          script,
				ClientReconfigScript:        script,
				AuthUser:                    "default",
				AuthPass:                    "pass word",
				MasterRebootDownAfterPeriod: 2 * time.Second,
				RenamedCommands:             []RenamedCommand{{From: "CONFIG", To: "GUESSME"}},
				ConfigEpoch:                 7,
				LeaderEpoch:                 6,
				KnownReplicas:               []Addr{{"10.0.0.2", 6379}, {"10.0.0.3", 6380}},
				KnownSentinels:              []KnownSentinel{{Addr: Addr{"10.0.0.4", 26379}, RunID: id2}},
			},
			NewMaster("other", "redis.example.com", 6379, 1),
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Load mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadDefaults(t *testing.T) {
	got, err := Load(writeConf(t, "sentinel monitor m 127.0.0.1 6379 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := got.Master("m")
	if got.Port != 26379 || got.ProtectedMode || !got.DenyScriptsReconfig || got.LogLevel != "notice" ||
		m.DownAfter != 30*time.Second || m.FailoverTimeout != 3*time.Minute || m.ParallelSyncs != 1 {
		t.Fatalf("defaults differ from redis-sentinel 7.0.15: %+v, master %+v", got, m)
	}
}

// redis-sentinel changes into `dir` as it reads that line, so a relative script path (in the
// file, or later via SENTINEL SET) is taken from there, not from where the process started.
func TestLoadResolvesRelativeScriptsFromDir(t *testing.T) {
	base := t.TempDir()
	scripts := filepath.Join(base, "scripts")
	if err := os.Mkdir(scripts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scripts, "notify.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Each dir line is followed from the previous one, as successive chdirs are.
	content := "dir " + base + "\ndir scripts\nsentinel monitor m 127.0.0.1 6379 2\n" +
		"sentinel notification-script m notify.sh\nsentinel client-reconfig-script m ./notify.sh\n"
	cfg, err := Load(writeConf(t, content))
	if err != nil {
		t.Fatalf("Load refused a script relative to dir: %v", err)
	}
	if cfg.WorkDir != scripts || cfg.Dir != "scripts" {
		t.Errorf("WorkDir %q, Dir %q; want %q and the value as written", cfg.WorkDir, cfg.Dir, scripts)
	}
	m := cfg.Master("m")
	if m.NotificationScript != "notify.sh" || cfg.ResolvePath(m.NotificationScript) != filepath.Join(scripts, "notify.sh") {
		t.Errorf("notification-script %q resolves to %q", m.NotificationScript, cfg.ResolvePath(m.NotificationScript))
	}
	if got := cfg.ResolvePath("/abs/x"); got != "/abs/x" {
		t.Errorf("absolute path resolved to %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	nonExec := filepath.Join(t.TempDir(), "plain.txt")
	if err := os.WriteFile(nonExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mon := "sentinel monitor m 127.0.0.1 6379 2\n"
	cases := []struct {
		name, content, want string
	}{
		{"not a number", mon + "\n\n\n\n\n\n\n\n\n\nsentinel down-after-milliseconds m abc\n",
			`sentinel.conf:12: sentinel down-after-milliseconds: "abc" is not a positive integer`},
		{"zero down-after", mon + "sentinel down-after-milliseconds m 0", `:2: sentinel down-after-milliseconds: "0" is not a positive integer`},
		{"zero failover-timeout", mon + "sentinel failover-timeout m 0", `:2: sentinel failover-timeout: "0" is not a positive integer`},
		{"negative reboot period", mon + "sentinel master-reboot-down-after-period m -1", `"-1" is not a non-negative integer`},
		{"zero parallel-syncs", mon + "sentinel parallel-syncs m 0", `:2: sentinel parallel-syncs: "0" is not a positive integer`},
		{"unknown master", "sentinel down-after-milliseconds nosuch 1000\n" + mon,
			`:1: sentinel down-after-milliseconds: no master named "nosuch"; add ` + "`sentinel monitor nosuch <ip> <port> <quorum>`"},
		{"quorum zero", "sentinel monitor m 127.0.0.1 6379 0", `:1: sentinel monitor: quorum "0" is not a positive integer`},
		{"quorum negative", "sentinel monitor m 127.0.0.1 6379 -2", `quorum "-2" is not a positive integer`},
		{"quorum text", "sentinel monitor m 127.0.0.1 6379 two", `quorum "two" is not a positive integer`},
		{"duplicate monitor", mon + "# x\n" + mon, `:3: sentinel monitor: master "m" is monitored twice; keep one monitor line`},
		{"bad port", "sentinel monitor m 127.0.0.1 70000 2", `:1: sentinel monitor: "70000" is not a port number (1 to 65535)`},
		{"hostname without resolve", "sentinel monitor m redis-0 6379 2", `"redis-0" is not an IP address; to use hostnames add ` + "`sentinel resolve-hostnames yes`"},
		{"bad hostname", "sentinel resolve-hostnames yes\nsentinel monitor m bad..name 6379 2", `"bad..name" is neither an IP address nor a valid hostname`},
		{"monitor arity", "sentinel monitor m 127.0.0.1 6379", `:1: sentinel monitor: wants 4 arguments (<master-name> <ip> <port> <quorum>), got 3`},
		{"unknown sentinel directive", "sentinel frobnicate x", `:1: sentinel frobnicate: unknown sentinel directive`},
		{"unknown directive", "port 26379\nfrobnicate yes", `:2: unknown directive "frobnicate"`},
		{"unbalanced quotes", `logfile "abc`, `:1: unbalanced quotes in configuration line`},
		{"nul byte", "logfile a\x00b", `:1: the line contains a NUL byte`},
		{"bad myid", "sentinel myid 1234", `:1: sentinel myid: "1234" is not a 40-character hex id`},
		{"bad epoch", mon + "sentinel config-epoch m -1", `:2: sentinel config-epoch: "-1" is not a non-negative integer`},
		{"bad current-epoch", "sentinel current-epoch x", `:1: sentinel current-epoch: "x" is not a non-negative integer`},
		{"bad yes/no", "sentinel deny-scripts-reconfig maybe", `:1: sentinel deny-scripts-reconfig: "maybe" is neither yes nor no`},
		{"bad announce-port", "sentinel announce-port 99999", `"99999" is not a port number (0 to 65535)`},
		{"duplicate replica", mon + "sentinel known-replica m 10.0.0.1 1\nsentinel known-replica m 10.0.0.1 1", `:3: sentinel known-replica: replica 10.0.0.1:1 is listed twice`},
		{"duplicate sentinel", mon + "sentinel known-sentinel m 10.0.0.1 1 " + id1 + "\nsentinel known-sentinel m 10.0.0.2 1 " + id1, `:3: sentinel known-sentinel: sentinel ` + id1 + ` is listed twice`},
		{"duplicate rename", mon + "sentinel rename-command m config a\nsentinel rename-command m CONFIG b", `:3: sentinel rename-command: command "CONFIG" is renamed twice`},
		{"script not executable", mon + "sentinel notification-script m " + nonExec, `:2: sentinel notification-script: "` + nonExec + `" is not an executable file`},
		{"script missing", mon + "sentinel client-reconfig-script m /nonexistent/x", `:2: sentinel client-reconfig-script: "/nonexistent/x" is not an executable file`},
		{"port text", "port abc", `:1: port: "abc" is not a port number (0 to 65535)`},
		{"port range", "port 65536", `:1: port: "65536" is not a port number (0 to 65535)`},
		{"port arity", "port 1 2", `:1: port: wants exactly one value, got 2`},
		{"loglevel", "loglevel loud", `:1: loglevel: "loud" is not one of debug, verbose, notice, warning`},
		{"daemonize", "daemonize perhaps", `:1: daemonize: "perhaps" is neither yes nor no`},
		{"bind empty", "bind", `:1: bind: wants 1 to 16 addresses, got 0`},
		{"include", "include /etc/other.conf", `:1: include: is not supported by this sentinel`},
		{"users and aclfile", "user a on\naclfile /x.acl", `:2: aclfile: users are defined both by user lines and by aclfile`},
		{"other without value", "maxclients", `:1: maxclients: wants a value`},
		{"dir missing", "dir /nonexistent/sentinel", `:1: dir: cannot change into "/nonexistent/sentinel"`},
		{"dir is a file", "dir " + nonExec, `:1: dir: cannot change into "` + nonExec + `"`},
		{"relative script not in dir", "dir /\n" + mon + "sentinel notification-script m notify.sh", `:3: sentinel notification-script: "notify.sh" is not an executable file`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeConf(t, c.content)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("Load accepted:\n%s", c.content)
			}
			want := c.want
			if strings.HasPrefix(want, ":") {
				want = path + want
			} else if strings.HasPrefix(want, "sentinel.conf:") {
				want = filepath.Dir(path) + "/" + want
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error:\n  %v\nwant it to contain:\n  %s", err, want)
			}
		})
	}
}

func TestErrorsNeverShowPasswords(t *testing.T) {
	for _, content := range []string{
		"requirepass hunter2 extra",
		"sentinel monitor m 127.0.0.1 6379 2\nsentinel auth-pass m hunter2 extra",
		"sentinel auth-pass nosuch hunter2",
		"sentinel sentinel-pass hunter2 extra",
		"user",
		`masterauth "hunter2`,
	} {
		_, err := Load(writeConf(t, content))
		if err == nil {
			t.Fatalf("Load accepted %q", content)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	cfg, err := Parse("x", []byte("requirepass hunter2\nuser bob on >hunter2\nsentinel monitor m 127.0.0.1 1 1\nsentinel auth-pass m hunter2\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg.RequirePass, *cfg.Master("m"), cfg.Master("m"), *cfg, cfg} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, "hunter2") {
				t.Errorf("Sprintf(%q) shows the password: %s", format, s)
			}
		}
	}
	if cfg.RequirePass.Reveal() != "hunter2" {
		t.Fatalf("Reveal() = %q", cfg.RequirePass.Reveal())
	}
}

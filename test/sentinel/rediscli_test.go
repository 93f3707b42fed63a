package sentinel

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func redisCLI(t *testing.T, port int, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/redis-cli", append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(port)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// redis-cli, the tool operators reach for first, works against our sentinel.
func TestRedisCLI(t *testing.T) {
	tp := newTopology(t, topologyOptions{}, ours)
	port := tp.sentinels[0].Port()

	got := redisCLI(t, port, "sentinel", "get-master-addr-by-name", masterName)
	if want := tp.master.Host() + "\n" + strconv.Itoa(tp.master.Port()) + "\n"; got != want {
		t.Errorf("get-master-addr-by-name printed %q, want %q", got, want)
	}
	if got := redisCLI(t, port, "sentinel", "get-master-addr-by-name", "nosuch"); strings.TrimSpace(got) != "" {
		t.Errorf("get-master-addr-by-name of an unknown master printed %q, want the empty (nil) reply", got)
	}

	// SENTINEL MASTERS prints one field per line, names and values alternating.
	lines := strings.Split(strings.TrimSpace(redisCLI(t, port, "sentinel", "masters")), "\n")
	fields := map[string]string{}
	for i := 0; i+1 < len(lines); i += 2 {
		fields[lines[i]] = lines[i+1]
	}
	for k, want := range map[string]string{"name": masterName, "ip": tp.master.Host(), "port": strconv.Itoa(tp.master.Port()),
		"flags": "master", "num-slaves": "2", "quorum": "2"} {
		if fields[k] != want {
			t.Errorf("sentinel masters: %s = %q, want %q (all: %v)", k, fields[k], want, lines)
		}
	}

	// Not on a terminal, redis-cli prints a RESP3 map as "key value" lines.
	hello := redisCLI(t, port, "-3", "hello", "3")
	for _, want := range []string{"server redis", "proto 3", "mode sentinel"} {
		if !strings.Contains("\n"+hello, "\n"+want+"\n") {
			t.Errorf("redis-cli -3 hello 3 lacks %q:\n%s", want, hello)
		}
	}
	if strings.Contains(hello, "\nrole ") {
		t.Errorf("HELLO in sentinel mode has no role field (redis-sentinel 7.0.15):\n%s", hello)
	}
	if got := redisCLI(t, port, "ping"); got != "PONG\n" {
		t.Errorf("ping printed %q", got)
	}
}

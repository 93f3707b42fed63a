package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpAndBadFlags runs the built binaries, as a user would: `--help` exits 0 and prints usage
// in every command, and a bad flag exits 2 with a message naming it. `redis-failover sentinel`
// execs the sentinel binary, so both are built side by side.
func TestHelpAndBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, pkg := range []string{".", "../redis-failover-sentinel"} {
		out, err := exec.Command("go", "build", "-o", dir+"/", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	main := filepath.Join(dir, "redis-failover")
	sentinel := filepath.Join(dir, "redis-failover-sentinel")

	cases := []struct {
		argv     []string
		wantCode int
		wantOut  string // in stdout+stderr
	}{
		{[]string{main, "--help"}, 0, "Usage:"},
		{[]string{main, "operator", "--help"}, 0, "--leader-election-namespace"},
		{[]string{main, "sentinel", "--help"}, 0, "usage: redis-failover-sentinel"},
		{[]string{sentinel, "--help"}, 0, "usage: redis-failover-sentinel"},
		{[]string{sentinel, "-h"}, 0, "-loglevel"},
		{[]string{main, "--no-such-flag"}, 2, "--no-such-flag"},
		{[]string{main, "operator", "--no-such-flag"}, 2, "--no-such-flag"},
		{[]string{main, "sentinel", "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{sentinel, "--no-such-flag"}, 2, "no-such-flag"},
		// Stock Redis Sentinel has no metrics endpoint: the operator refuses to start rather
		// than render sentinels that serve nothing on the metrics port.
		{[]string{main, "operator", "--sentinel-image", "example.com/redis-failover:1",
			"--sentinel-implementation=redis-sentinel", "--sentinel-metrics"}, 2,
			"--sentinel-metrics cannot be used with --sentinel-implementation=redis-sentinel"},
		{[]string{main, "operator", "--sentinel-image", "example.com/redis-failover:1",
			"--sentinel-implementation=keydb"}, 2, `--sentinel-implementation: sentinel implementation "keydb" is not known`},
	}
	for _, c := range cases {
		name := strings.Join(append([]string{filepath.Base(c.argv[0])}, c.argv[1:]...), " ")
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(c.argv[0], c.argv[1:]...)
			// An operator that got past its flag checks must fail on a missing kubeconfig, not
			// reach whatever cluster this machine's environment points at.
			cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(dir, "no-such-kubeconfig"), "KUBERNETES_SERVICE_HOST=")
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatalf("running %s: %v", name, err)
			}
			if code != c.wantCode {
				t.Errorf("%s exited %d, want %d; output:\n%s", name, code, c.wantCode, out)
			}
			if !strings.Contains(string(out), c.wantOut) {
				t.Errorf("%s printed no %q; output:\n%s", name, c.wantOut, out)
			}
		})
	}
}

package lifecycle

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// shell runs commands the way the docs tell a user to: bash with -euo pipefail, in the
// repository's root (the docs' paths are relative to it), with the helm and kubectl the
// toolchain built first on PATH and the test cluster's KUBECONFIG.
type shell struct {
	root string
}

func newShell(t *testing.T) shell {
	t.Helper()
	root, err := framework.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KUBECONFIG") == "" {
		t.Fatal("KUBECONFIG is not set: run through `make test-e2e`, which points it at the local cluster")
	}
	return shell{root: root}
}

// run runs script and returns its combined output; a non-zero exit fails the test with the
// output.
func (s shell) run(t *testing.T, timeout time.Duration, script string) string {
	t.Helper()
	out, err := s.try(t, timeout, script)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// try runs script and returns its output and an error that carries the output.
func (s shell) try(t *testing.T, timeout time.Duration, script string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	return s.exec(ctx, t.Logf, script)
}

// exec is try for where no running test is at hand (a cleanup): ctx bounds it, logf logs it.
func (s shell) exec(ctx context.Context, logf func(string, ...any), script string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = s.root
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(s.root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	logf("$ %s\n%s(%s)", strings.TrimSpace(script), out, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return string(out), fmt.Errorf("%s: %w\n%s", strings.TrimSpace(script), err, out)
	}
	return string(out), nil
}

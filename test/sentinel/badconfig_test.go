package sentinel

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A bad config line stops the sentinel with an error naming the file, the line and the problem,
// before it listens (redis-sentinel also exits with status 1).
func TestBadConfigStopsWithLineError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sentinel.conf")
	content := "# comment\nsentinel monitor mymaster 127.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster abc\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(oursBinary, path).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("sentinel with a bad config: %v; want a non-zero exit\n%s", err, out)
	}
	// The logger may escape the quotes around "abc"; the rest must be there verbatim.
	for _, want := range []string{path + ":3: sentinel down-after-milliseconds: ", "abc", "is not a positive integer"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

// Package toolbin finds the tools hack/toolchain.sh installs into the repository's bin/
// (helm, kubectl), for tests that run the real binaries.
package toolbin

import (
	"os"
	"path/filepath"
	"testing"
)

// Path is the tool named by envVar when that is set, else bin/name at the module root. When the
// file does not exist it fails the test, saying which hack/toolchain.sh step installs it.
func Path(t testing.TB, envVar, name, step string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir = d
			break
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s: run the test inside the module", dir)
		}
	}
	p := filepath.Join(dir, "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not found at %s: run hack/toolchain.sh %s (or set %s to a %s binary): %v", name, p, step, envVar, name, err)
	}
	return p
}

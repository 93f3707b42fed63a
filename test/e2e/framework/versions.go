package framework

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Setting returns a value pinned in hack/versions.env (REDIS_IMAGE, OPERATOR_IMAGE, ...), so that
// tests use the same image names the images were loaded under. The environment wins: the
// Makefile exports these variables, and a developer can point one test run at another image.
func Setting(t testing.TB, name string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	path, err := findVersionsEnv()
	if err != nil {
		t.Fatalf("looking up %s: %v", name, err)
	}
	v, err := readSetting(path, name)
	if err != nil {
		t.Fatalf("looking up %s: %v", name, err)
	}
	return v
}

// findVersionsEnv walks up from the working directory (go test runs in the package's folder).
func findVersionsEnv() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("getting working directory: %w", err)
	}
	for {
		candidate := filepath.Join(dir, "hack", "versions.env")
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no hack/versions.env above the working directory")
		}
		dir = parent
	}
}

func readSetting(path, name string) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("opening %s: %w", path, err)
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(scanner.Text()), "=")
		if ok && key == name {
			return strings.Trim(value, `"`), nil
		}
	}
	if err := scanner.Err(); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return "", fmt.Errorf("%s does not set %s", path, name)
}

// RepoRoot is the repository's root: the directory holding go.mod, found from the working
// directory upwards (go test runs in the package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

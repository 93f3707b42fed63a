// Package benchenv gives the benchmark programs under test/bench what a test gets from testing.T
// (temp dirs, cleanups, a fatal error ending one run rather than the program) so they can use the
// same internal/redistest harness as the tests, and reads process CPU time from /proc.
package benchenv

import (
	"fmt"
	"log"
	"os"
)

// Scope gives one benchmark run what redistest expects from a test: temp dirs, cleanups, and a
// fatal error that ends the run (not the program).
type Scope struct {
	name     string
	base     string
	cleanups []func()
	failed   bool
}

type fatalError struct{ msg string }

// NewScope starts a run named name (used in log lines) with its files under a new temporary
// directory whose name starts with prefix.
func NewScope(prefix, name string) (*Scope, error) {
	base, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, fmt.Errorf("creating run directory: %w", err)
	}
	return &Scope{name: name, base: base}, nil
}

func (s *Scope) Helper() {}

func (s *Scope) TempDir() string {
	dir, err := os.MkdirTemp(s.base, "p")
	if err != nil {
		s.Fatalf("creating temp dir: %v", err)
	}
	return dir
}

func (s *Scope) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *Scope) Logf(format string, args ...any) { log.Printf(s.name+": "+format, args...) }

func (s *Scope) Fatalf(format string, args ...any) {
	s.failed = true
	panic(fatalError{fmt.Sprintf(format, args...)})
}

func (s *Scope) Failed() bool { return s.failed }

// Do runs f, turning a Fatalf inside it into an error.
func (s *Scope) Do(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(fatalError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s", fe.msg)
		}
	}()
	f()
	return nil
}

// Close stops every process of the run (in reverse start order) and removes its files.
func (s *Scope) Close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
	if err := os.RemoveAll(s.base); err != nil {
		log.Printf("%s: removing %s: %v", s.name, s.base, err)
	}
}

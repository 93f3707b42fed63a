package main

import (
	"fmt"
	"log"
	"os"
)

// scope gives one round what redistest expects from a test: temp dirs, cleanups, and a fatal
// error that ends the round (not the program).
type scope struct {
	name     string
	base     string
	cleanups []func()
	failed   bool
}

type fatalError struct{ msg string }

func newScope(name string) (*scope, error) {
	base, err := os.MkdirTemp("", "bench-sentinelcpu-")
	if err != nil {
		return nil, fmt.Errorf("creating round directory: %w", err)
	}
	return &scope{name: name, base: base}, nil
}

func (s *scope) Helper() {}

func (s *scope) TempDir() string {
	dir, err := os.MkdirTemp(s.base, "p")
	if err != nil {
		s.Fatalf("creating temp dir: %v", err)
	}
	return dir
}

func (s *scope) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *scope) Logf(format string, args ...any) { log.Printf(s.name+": "+format, args...) }

func (s *scope) Fatalf(format string, args ...any) {
	s.failed = true
	panic(fatalError{fmt.Sprintf(format, args...)})
}

func (s *scope) Failed() bool { return s.failed }

// do runs f, turning a Fatalf inside it into an error.
func (s *scope) do(f func()) (err error) {
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

// close stops every process of the round (in reverse start order) and removes its files.
func (s *scope) close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
	if err := os.RemoveAll(s.base); err != nil {
		log.Printf("%s: removing %s: %v", s.name, s.base, err)
	}
}

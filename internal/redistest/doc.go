// Package redistest runs real redis-server and sentinel processes for tests and benchmarks.
//
// Every process listens on a loopback address (127.0.0.x) and a free port, lives in its own
// temporary directory, writes its output to a log file that is dumped when the test fails,
// and is killed by the test's cleanup. Only processes started here are ever signalled.
//
// The harness takes a small T interface rather than *testing.T so that the sentinel benchmark,
// a plain main package, can drive the same processes; *testing.T and *testing.B satisfy it.
package redistest

// T is the part of testing.TB the harness needs.
type T interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

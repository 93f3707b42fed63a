// Package redistest starts real redis-server and redis-sentinel processes (Debian's 7.0.15,
// installed by `hack/toolchain.sh debian`), and the project's own sentinel binary, for tests and
// benchmarks. Nothing is simulated: the code under test talks to the same servers the pods run,
// so replication, AUTH, config rewrites and failover behave as they do in a cluster.
//
// One set of rules for every process:
//   - It listens on a loopback address: 127.0.0.1 unless the caller fixes another 127.0.0.x
//     (ServerOptions.Host, SentinelOptions.Host), so tests can give each process its own
//     address, as pods have. A server announces its own address to its master
//     (replica-announce-ip), as a pod announces its pod IP; the kernel would otherwise make every
//     loopback replica show up as 127.0.0.1.
//   - It listens on a port that is free when it starts, unless the caller fixes one (Port); a
//     port taken meanwhile by someone else is detected and another one tried.
//   - It lives in its own temporary directory, writes its output to a log file that is shown
//     when the test fails, and is killed (SIGKILL) by the test's cleanup. Only processes started
//     here are ever signalled.
//
// Waiting is done with package poll; the harness never sleeps in place of a condition.
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

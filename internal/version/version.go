// Package version carries build metadata stamped in by the linker (see Makefile LDFLAGS).
package version

// Set with -ldflags "-X github.com/failover-dev/redis-failover-operator/internal/version.Version=...".
var (
	Version = "dev"
	Commit  = "unknown"
)

// String is the one-line form printed by `redis-failover version` and logged at start-up.
func String() string { return Version + " (" + Commit + ")" }

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

// sentinelBinary is the sentinel server's own small executable, shipped next to this one.
// The sentinel runs in a separate binary because Go runs the init of every linked package:
// client-go's scheme registration alone would cost the sentinel more idle memory than stock
// redis-sentinel uses in total. `redis-failover sentinel` replaces itself with it (exec), so
// the user-facing command stays one binary with subcommands.
const sentinelBinary = "redis-failover-sentinel"

func newSentinelCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "sentinel [sentinel.conf] [flags]",
		Short:              "Run the Redis-Sentinel-compatible failover server",
		DisableFlagParsing: true, // every argument belongs to the sentinel binary
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := findSentinelBinary()
			if err != nil {
				return err
			}
			return syscall.Exec(path, append([]string{path}, args...), os.Environ())
		},
	}
}

func findSentinelBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating own executable to find %s: %w", sentinelBinary, err)
	}
	candidate := filepath.Join(filepath.Dir(self), sentinelBinary)
	if _, err := os.Stat(candidate); err != nil {
		return "", fmt.Errorf("the sentinel server %s must sit next to %s (build both with `make build`): %w",
			sentinelBinary, self, err)
	}
	return candidate, nil
}

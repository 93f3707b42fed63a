// Command redis-failover is the project's one entry point: the operator, the sentinel server and the
// small helpers the pods need are subcommands of it, shipped in one image.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := newRootCommand()
	if runAsKubectlPlugin() {
		// Started as kubectl-rf (a link to this binary on PATH): `kubectl rf ...` runs the plugin.
		root = newKubectlPluginCommand()
	}
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "redis-failover",
		Short:         "Kubernetes operator and Sentinel-compatible failover server for Redis",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVersionCommand(), newSentinelCommand())
	for _, add := range extraCommands {
		root.AddCommand(add())
	}
	return root
}

// extraCommands lets each subcommand live in its own file and register itself from init,
// so that adding one does not touch this file.
var extraCommands []func() *cobra.Command

// Command redis-failover is the project's one entry point: the operator, the sentinel server and the
// small helpers the pods need are subcommands of it, shipped in one image.
package main

import (
	"errors"
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
		// As with any command line tool, a usage mistake exits 2 and a failure exits 1.
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks a bad flag or argument, as opposed to a failure of the command itself.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "redis-failover",
		Short:         "Kubernetes operator and Sentinel-compatible failover server for Redis",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Subcommands inherit this: a bad flag anywhere exits 2, naming the flag (pflag's message).
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newVersionCommand(), newSentinelCommand())
	for _, add := range extraCommands {
		root.AddCommand(add())
	}
	return root
}

// extraCommands lets each subcommand live in its own file and register itself from init,
// so that adding one does not touch this file.
var extraCommands []func() *cobra.Command

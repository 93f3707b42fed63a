package main

import (
	"flag"

	"github.com/spf13/cobra"
)

// flagSetOf bridges libraries that register standard-library flags (zap's logging options)
// into a cobra command's flags.
func flagSetOf(cmd *cobra.Command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.Name(), flag.ContinueOnError)
	cmd.Flags().AddGoFlagSet(fs)
	return fs
}

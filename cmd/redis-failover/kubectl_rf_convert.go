package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/failover-dev/redis-failover-operator/internal/spotahome"
)

// newConvertCommand is `kubectl rf convert`: spotahome manifests in, this API's out. It talks to
// no cluster; the conversion is internal/spotahome's.
func newConvertCommand() *cobra.Command {
	var (
		file string
		opts spotahome.Options
	)
	cmd := &cobra.Command{
		Use:   "convert -f FILE",
		Short: "Print a spotahome RedisFailover (databases.spotahome.com/v1) as this API's, with a comment on each field whose meaning changed",
		Long: "Reads YAML documents from FILE (- for standard input), converts every spotahome RedisFailover and\n" +
			"prints all documents; other objects (Namespaces, Secrets, ConfigMaps) pass through unchanged. Fails,\n" +
			"naming the document and the field, when the input holds no spotahome RedisFailover or a field cannot\n" +
			"be converted. Nothing is sent to a cluster: review the output, then kubectl apply it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := readInput(cmd.InOrStdin(), file)
			if err != nil {
				return err
			}
			out, err := spotahome.Convert(in, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", inputName(file), err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVarP(&file, "filename", "f", "", "the spotahome manifest to convert, - for standard input")
	_ = cmd.MarkFlagRequired("filename")
	cmd.Flags().BoolVar(&opts.KeepMasterName, "keep-master-name", false, "set spec.sentinel.masterName: mymaster, spotahome's fixed master name, for clients that ask the sentinels for it")
	return cmd
}

func readInput(stdin io.Reader, file string) ([]byte, error) {
	if file == "-" {
		in, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return in, nil
	}
	in, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	return in, nil
}

func inputName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}

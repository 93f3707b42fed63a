package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/redis-failover-operator/internal/redis"
)

func init() { extraCommands = append(extraCommands, newSmokeTestCommand) }

// newSmokeTestCommand checks a RedisFailover as its clients see it, from inside the cluster: a
// write through the sentinels (go-redis FailoverClient) read back on every replica. The e2e
// tests run it in a pod; users can run it the same way after a change.
func newSmokeTestCommand() *cobra.Command {
	var (
		sentinels  []string
		masterName string
		key        string
		wait       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "smoke-test --sentinel HOST:26379 --master-name NAME",
		Short: "Write a key through the sentinels and read it back on every replica (password from REDIS_PASSWORD)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(sentinels) == 0 || masterName == "" {
				return errors.New("--sentinel and --master-name are required, e.g. --sentinel rfs-NAME:26379 --master-name NAME (the RedisFailover's status.masterName)")
			}
			if key == "" {
				key = fmt.Sprintf("smoke-test:%d", time.Now().UnixNano())
			}
			value := fmt.Sprintf("written-at-%s", time.Now().UTC().Format(time.RFC3339Nano))
			c := redis.Client{Password: os.Getenv("REDIS_PASSWORD")}
			ctx, cancel := context.WithTimeout(cmd.Context(), wait+30*time.Second)
			defer cancel()
			res, err := c.RoundTrip(ctx, sentinels, masterName, key, value, wait)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "ok key=%s master=%s replicas=%s\n", key, res.Master, strings.Join(res.Replicas, ","))
			return err
		},
	}
	cmd.Flags().StringSliceVar(&sentinels, "sentinel", nil, "sentinel address host:port (repeatable)")
	cmd.Flags().StringVar(&masterName, "master-name", "", "the master name the sentinels monitor (status.masterName)")
	cmd.Flags().StringVar(&key, "key", "", "key to write (default: a unique smoke-test:<nanos>)")
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "how long each replica may take to return the key")
	return cmd
}

package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// ConfigGet reads the named settings of the node at addr with one CONFIG GET (Redis 7 takes
// several names). A name the server does not know is absent from the result.
func (c Client) ConfigGet(ctx context.Context, addr string, names ...string) (map[string]string, error) {
	args := make([]any, 0, len(names)+2)
	args = append(args, c.command("CONFIG"), "GET")
	for _, n := range names {
		args = append(args, n)
	}
	var pairs []string
	err := c.do(ctx, addr, func(ctx context.Context, rdb *goredis.Client) error {
		var err error
		pairs, err = rdb.Do(ctx, args...).StringSlice()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("CONFIG GET on %s: %w", addr, err)
	}
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("CONFIG GET on %s: odd reply of %d elements", addr, len(pairs))
	}
	out := make(map[string]string, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out[pairs[i]] = pairs[i+1]
	}
	return out, nil
}

// ConfigSet sets one setting of the node at addr at runtime. The config file is not rewritten:
// the rendered redis.conf, which a restarted node reads, already holds the same value.
func (c Client) ConfigSet(ctx context.Context, addr, name, value string) error {
	err := c.do(ctx, addr, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Do(ctx, c.command("CONFIG"), "SET", name, value).Err()
	})
	if err != nil {
		return fmt.Errorf("CONFIG SET %s %q on %s: %w", name, value, addr, err)
	}
	return nil
}

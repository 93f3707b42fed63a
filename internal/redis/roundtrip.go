package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// RoundTripResult is what RoundTrip saw: where the write went and which replicas returned it.
type RoundTripResult struct {
	// Master is the address the sentinels gave the client for the write.
	Master string
	// Replicas are the replica addresses the sentinels list, each read back.
	Replicas []string
}

// RoundTrip is an end-to-end check as a client sees the service: it writes key=value through a
// go-redis FailoverClient (which asks the sentinels for the master), then reads the key back
// from every replica the sentinels list, each until it arrives or wait passes. It fails if the
// sentinels list no replica, so that a lone master cannot pass for a replicated one.
func (c Client) RoundTrip(ctx context.Context, sentinels []string, masterName, key, value string, wait time.Duration) (RoundTripResult, error) {
	var res RoundTripResult
	fc := goredis.NewFailoverClient(&goredis.FailoverOptions{
		MasterName:       masterName,
		SentinelAddrs:    sentinels,
		Username:         c.Username,
		Password:         c.Password,
		SentinelPassword: c.Password,
		DialTimeout:      c.timeout(),
		ReadTimeout:      c.timeout(),
		WriteTimeout:     c.timeout(),
	})
	defer func() { _ = fc.Close() }()
	writeCtx, cancel := context.WithTimeout(ctx, 5*c.timeout())
	defer cancel()
	if err := fc.Set(writeCtx, key, value, 0).Err(); err != nil {
		return res, fmt.Errorf("SET %s through the sentinels %v (master %s): %w", key, sentinels, masterName, err)
	}

	var views []SentinelView
	var errs []error
	for _, s := range sentinels {
		view, err := c.SentinelView(ctx, s, masterName)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		views = append(views, view)
	}
	if len(views) == 0 {
		return res, fmt.Errorf("no sentinel answered: %w", errors.Join(errs...))
	}
	res.Master = Addr(views[0].Master.IP, views[0].Master.Port)
	for _, r := range views[0].Replicas {
		if !r.Down() {
			res.Replicas = append(res.Replicas, Addr(r.IP, r.Port))
		}
	}
	if len(res.Replicas) == 0 {
		return res, fmt.Errorf("the sentinels list no live replica of %s", masterName)
	}
	for _, addr := range res.Replicas {
		if err := c.waitForKey(ctx, addr, key, value, wait); err != nil {
			return res, err
		}
	}
	return res, nil
}

// waitForKey polls one replica until GET key returns value or wait passes.
func (c Client) waitForKey(ctx context.Context, addr, key, value string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		var got string
		err := c.do(ctx, addr, func(ctx context.Context, rdb *goredis.Client) error {
			var err error
			got, err = rdb.Get(ctx, key).Result()
			return err
		})
		if err == nil && got == value {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replica %s did not return %s=%q within %s (got %q, err %v)", addr, key, value, wait, got, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

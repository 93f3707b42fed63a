package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"

	goredis "github.com/redis/go-redis/v9"
)

// DefaultTimeout bounds one call to one node: long enough for a busy node, short enough that a
// reconcile touching every pod stays within a second or two when one of them hangs.
const DefaultTimeout = 2 * time.Second

// Client talks to data nodes (and, through SentinelClient, to sentinels) with one set of
// credentials. The zero value is usable: no auth, DefaultTimeout.
type Client struct {
	Username string
	Password string
	// Timeout bounds each call, including dialing; zero means DefaultTimeout.
	Timeout time.Duration
	// Renames maps a command (lowercase) to the name the nodes know it by (redis.conf
	// rename-command); commands not in it keep their names. Data-node calls send INFO, SLAVEOF,
	// CLIENT, MULTI, EXEC and CONFIG through it; sentinels are never renamed.
	Renames map[string]string
}

// command is the name the nodes know cmd by.
func (c Client) command(cmd string) string {
	if to, ok := c.Renames[strings.ToLower(cmd)]; ok && to != "" {
		return to
	}
	return cmd
}

func (c Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c Client) options(addr string) *goredis.Options {
	t := c.timeout()
	return &goredis.Options{
		Addr:     addr,
		Username: c.Username,
		Password: c.Password,
		// RESP2 and no CLIENT SETINFO: the smallest handshake, understood by every Redis and sentinel.
		Protocol:        2,
		DisableIdentity: true,
		DialTimeout:     t,
		ReadTimeout:     t,
		WriteTimeout:    t,
		// Never retry here: a retry multiplies the time one hung node can cost a reconcile.
		MaxRetries:    -1,
		DialerRetries: 1,
		PoolSize:      1,
	}
}

// do runs fn against addr on a fresh connection under a deadline, so a hung node costs at
// most one timeout and never leaks a pooled connection into the next reconcile.
func (c Client) do(ctx context.Context, addr string, fn func(ctx context.Context, rdb *goredis.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	rdb := goredis.NewClient(c.options(addr))
	defer func() { _ = rdb.Close() }()
	return fn(ctx, rdb)
}

// Info reads the server and replication sections of a data node's INFO.
func (c Client) Info(ctx context.Context, addr string) (Info, error) {
	var text string
	err := c.do(ctx, addr, func(ctx context.Context, rdb *goredis.Client) error {
		var err error
		text, err = rdb.Do(ctx, c.command("INFO"), "server", "persistence", "replication").Text()
		return err
	})
	if err != nil {
		return Info{}, fmt.Errorf("INFO from %s: %w", addr, err)
	}
	info, err := ParseInfo(text)
	if err != nil {
		return Info{}, fmt.Errorf("INFO from %s: %w", addr, err)
	}
	return info, nil
}

// ReplicaOf points the node at addr to the master at host:port and disconnects its clients,
// the same transaction a sentinel sends: clients of a demoted master must reconnect and ask the
// sentinels again instead of writing into a replica. The node's config file is not rewritten:
// a restarted node must learn the current master anew, never trust what it knew before.
func (c Client) ReplicaOf(ctx context.Context, addr, host string, port int) error {
	return c.replicaOf(ctx, addr, host, strconv.Itoa(port))
}

// ReplicaOfNoOne promotes the node at addr to master. Only bootstrap uses it: after that the
// sentinels choose masters and the operator asks them (SENTINEL FAILOVER) when it needs one.
func (c Client) ReplicaOfNoOne(ctx context.Context, addr string) error {
	return c.replicaOf(ctx, addr, "NO", "ONE")
}

func (c Client) replicaOf(ctx context.Context, addr, host, port string) error {
	err := c.do(ctx, addr, func(ctx context.Context, rdb *goredis.Client) error {
		// MULTI and EXEC are sent as commands of their own, not by go-redis's TxPipelined, so
		// that renamed ones are sent under their new names.
		var exec *goredis.Cmd
		_, err := rdb.Pipelined(ctx, func(pipe goredis.Pipeliner) error {
			pipe.Do(ctx, c.command("MULTI"))
			pipe.Do(ctx, c.command("SLAVEOF"), host, port)
			// SKIPME defaults to yes, so this connection survives to read EXEC's reply.
			pipe.Do(ctx, c.command("CLIENT"), "KILL", "TYPE", "normal")
			pipe.Do(ctx, c.command("CLIENT"), "KILL", "TYPE", "pubsub")
			exec = pipe.Do(ctx, c.command("EXEC"))
			return nil
		})
		if err != nil {
			return err
		}
		replies, err := exec.Slice()
		if err != nil {
			return err
		}
		for _, r := range replies {
			if e, ok := r.(error); ok {
				return e
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("REPLICAOF %s %s on %s: %w", host, port, addr, err)
	}
	return nil
}

// LogTo sends go-redis's own log lines (dial failures, sentinel discovery) to logger at
// verbosity 1 instead of unstructured stderr: the operator reports the same failures itself,
// with context, through the errors this package returns.
func LogTo(logger logr.Logger) { goredis.SetLogger(logrPrinter{logger.V(1)}) }

type logrPrinter struct{ logger logr.Logger }

func (p logrPrinter) Printf(_ context.Context, format string, v ...any) {
	p.logger.Info(strings.TrimSpace(fmt.Sprintf(format, v...)))
}

// Addr joins host and port the way every caller of this package spells node addresses.
func Addr(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// IsTimeout reports whether err means the node did not answer in time (as opposed to refusing).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// Command goredis is the go-redis v9 writer of the client soak (test/soak): a FailoverClient
// with default options writes a unique key every 20 ms through the sentinels and prints one
// JSON line per outcome on stdout, like the Node.js and Python clients.
//
//	go run ./test/soak/clients/goredis <master-name> <key-prefix> <host:port>...
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

const interval = 20 * time.Millisecond

type line struct {
	Ev  string `json:"ev"`
	Seq int64  `json:"seq,omitempty"`
	S   int64  `json:"s,omitempty"`
	T   int64  `json:"t"`
	Err string `json:"err,omitempty"`
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: goredis <master-name> <key-prefix> <host:port>...")
		os.Exit(2)
	}
	name, prefix, addrs := os.Args[1], os.Args[2], os.Args[3:]
	// go-redis logs every failed dial during a failover; the err lines already record them.
	redis.SetLogger(quiet{})
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: name, SentinelAddrs: addrs})
	enc := json.NewEncoder(os.Stdout)
	emit := func(l line) {
		if err := enc.Encode(l); err != nil {
			os.Exit(1) // the driver is gone
		}
	}
	emit(line{Ev: "ready", T: time.Now().UnixMilli()})
	ctx := context.Background()
	for seq := int64(1); ; seq++ {
		start := time.Now()
		err := c.Set(ctx, prefix+":"+strconv.FormatInt(seq, 10), seq, 0).Err()
		if err != nil {
			emit(line{Ev: "err", Seq: seq, S: start.UnixMilli(), T: time.Now().UnixMilli(), Err: err.Error()})
		} else {
			emit(line{Ev: "ack", Seq: seq, S: start.UnixMilli(), T: time.Now().UnixMilli()})
		}
		time.Sleep(time.Until(start.Add(interval))) // the write pace, not a wait for a condition
	}
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

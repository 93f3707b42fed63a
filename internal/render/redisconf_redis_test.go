package render

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// The rendered redis.conf, user lines re-quoted and all, is loaded by a real redis-server 7.0.15
// and means what the spec said: each setting reads back with CONFIG GET. Only dir and bind are
// changed for the host (see scripts_test.go).
func TestRenderedRedisConfLoadsInRealRedis(t *testing.T) {
	port := freePort(t)
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		r := &rf.Spec.Redis
		r.Port = int32(port)
		r.ReplBacklogSize = ptr.To(resource.MustParse("32Mi"))
		r.MinReplicasToWrite = ptr.To[int32](1)
		r.MinReplicasMaxLag = 5
		r.CustomConfig = []redisv1alpha1.RedisConfigLine{
			"maxclients 100",
			"hz 50",
			"timeout 60",
			"client-output-buffer-limit normal 0 0 0",
			"client-output-buffer-limit replica 1000000000 1000000000 0",
			"client-output-buffer-limit pubsub 33554432 8388608 60",
			`notify-keyspace-events "Ex"`,
			`maxmemory-policy 'allkeys-lru'`,
			`save ""`,
			"appendonly no",
		}
	}).WithDefaults()
	conf, err := redisConf(rf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf = strings.Replace(conf, "\ndir "+redisDataDir+"\n", "\ndir "+dir+"\n", 1) + "bind 127.0.0.1\n"
	file := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(file, []byte(conf), 0o444); err != nil {
		t.Fatal(err)
	}
	startServer(t, "redis-server", file, port)

	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2})
	defer c.Close()
	want := map[string]string{
		"port":                       strconv.Itoa(port),
		"protected-mode":             "no",
		"repl-backlog-size":          "33554432",
		"min-replicas-to-write":      "1",
		"min-replicas-max-lag":       "5",
		"replica-read-only":          "yes",
		"maxclients":                 "100",
		"hz":                         "50",
		"timeout":                    "60",
		"client-output-buffer-limit": "normal 0 0 0 slave 1000000000 1000000000 0 pubsub 33554432 8388608 60",
		"notify-keyspace-events":     "xE",
		"maxmemory-policy":           "allkeys-lru",
		"save":                       "",
		"appendonly":                 "no",
	}
	for key, value := range want {
		got, err := c.ConfigGet(context.Background(), key).Result()
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", key, err)
		}
		if got[key] != value {
			t.Errorf("CONFIG GET %s = %q, want %q (rendered redis.conf:\n%s)", key, got[key], value, conf)
		}
	}
}

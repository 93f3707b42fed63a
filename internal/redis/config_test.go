package redis_test

import (
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// CONFIG GET of several names in one call, and CONFIG SET, against a real redis-server: a value
// set reads back, a name the server does not know is absent, and a refused value is an error
// carrying Redis's own reason.
func TestConfigGetSetRealServer(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw"})
	c := redis.Client{Password: "pw"}

	if err := c.ConfigSet(ctx, s.Addr(), "maxmemory", "10mb"); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigSet(ctx, s.Addr(), "maxmemory-policy", "allkeys-lru"); err != nil {
		t.Fatal(err)
	}
	got, err := c.ConfigGet(ctx, s.Addr(), "maxmemory", "maxmemory-policy", "replica-priority", "no-such-setting")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"maxmemory": "10485760", "maxmemory-policy": "allkeys-lru", "replica-priority": "100"}
	if len(got) != len(want) {
		t.Errorf("CONFIG GET = %v, want exactly %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("CONFIG GET %s = %q, want %q", k, got[k], v)
		}
	}

	err = c.ConfigSet(ctx, s.Addr(), "maxmemory-policy", "sometimes")
	if err == nil || !strings.Contains(err.Error(), "maxmemory-policy") || !strings.Contains(err.Error(), "argument") {
		t.Errorf("CONFIG SET of a bad value: err = %v, want Redis's refusal naming the setting", err)
	}
	if err := c.ConfigSet(ctx, s.Addr(), "databases", "4"); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("CONFIG SET databases: err = %v, want Redis's immutable refusal", err)
	}
}

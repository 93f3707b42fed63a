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
)

// startPlainRedis starts a real redis-server 7.0.15 with nothing but its address and data
// directory set, so that every other setting has Redis's own default.
func startPlainRedis(t *testing.T) *redis.Client {
	t.Helper()
	port := freePort(t)
	dir := t.TempDir()
	conf := "port " + strconv.Itoa(port) + "\nbind 127.0.0.1\ndir " + dir + "\nsave \"\"\n"
	file := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(file, []byte(conf), 0o444); err != nil {
		t.Fatal(err)
	}
	startServer(t, "redis-server", file, port)
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// sample is a value for s other than its default, written the way a user might (units, case).
func sample(t *testing.T, s LiveSetting) string {
	t.Helper()
	switch s.Kind {
	case KindInteger:
		n, err := strconv.Atoi(s.Default)
		if err != nil {
			t.Fatalf("%s: default %q is no integer", s.Directive, s.Default)
		}
		if n >= 2 {
			return strconv.Itoa(n - 1)
		}
		return strconv.Itoa(n + 1)
	case KindMemory:
		return "3MB"
	case KindBool:
		if s.Default == "yes" {
			return "No"
		}
		return "YES"
	case KindEnum:
		enums := map[string]string{"maxmemory-policy": "ALLKEYS-LRU", "loglevel": "Warning", "appendfsync": "always"}
		v, ok := enums[s.Directive]
		if !ok {
			t.Fatalf("no sample value for enum %s: add one", s.Directive)
		}
		return v
	}
	t.Fatalf("%s: unknown kind %q", s.Directive, s.Kind)
	return ""
}

// Every row of the table is checked against a real redis-server 7.0.15: a live setting's default
// is Redis's, CONFIG SET of another value succeeds and CONFIG GET then answers exactly the value
// Normalize predicts (the plan compares the two, so a wrong prediction would CONFIG SET forever);
// a setting listed as immutable is refused by CONFIG SET.
func TestLiveSettingsAgainstRedis(t *testing.T) {
	ctx := context.Background()
	defaults := startPlainRedis(t)
	for _, s := range LiveSettings {
		got, err := defaults.ConfigGet(ctx, s.Directive).Result()
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", s.Directive, err)
		}
		if got[s.Directive] != s.Default {
			t.Errorf("%s: table default %q, redis-server's default %q", s.Directive, s.Default, got[s.Directive])
		}
	}

	c := startPlainRedis(t)
	for _, s := range LiveSettings {
		raw := sample(t, s)
		want, err := s.Normalize(raw)
		if err != nil {
			t.Fatalf("%s: Normalize(%q): %v", s.Directive, raw, err)
		}
		if want == s.Default {
			t.Fatalf("%s: sample %q is the default: the check would prove nothing", s.Directive, raw)
		}
		if err := c.ConfigSet(ctx, s.Directive, raw).Err(); err != nil {
			t.Errorf("%s is in the live table but CONFIG SET %s %s failed: %v", s.Directive, s.Directive, raw, err)
			continue
		}
		got, err := c.ConfigGet(ctx, s.Directive).Result()
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", s.Directive, err)
		}
		if got[s.Directive] != want {
			t.Errorf("CONFIG SET %s %s: CONFIG GET answers %q, Normalize predicted %q", s.Directive, raw, got[s.Directive], want)
		}
	}

	for _, s := range RestartSettings {
		if s.Why != "immutable in Redis" {
			continue
		}
		current, err := c.ConfigGet(ctx, s.Directive).Result()
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", s.Directive, err)
		}
		value, ok := current[s.Directive]
		if !ok {
			t.Errorf("%s: CONFIG GET knows no such setting", s.Directive)
			continue
		}
		// Setting the value it already has: only immutability can refuse it.
		err = c.ConfigSet(ctx, s.Directive, value).Err()
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s is listed as immutable but CONFIG SET %s %q answered %v", s.Directive, s.Directive, value, err)
		}
	}
}

// Memory values in every unit Redis reads come back from CONFIG GET as Normalize predicts.
func TestMemoryUnitsAgainstRedis(t *testing.T) {
	ctx := context.Background()
	c := startPlainRedis(t)
	maxmemory, _ := liveSetting("maxmemory")
	for _, raw := range []string{"12345", "5k", "5kb", "5K", "7m", "7mb", "7Mb", "1g", "1gb", "1GB", "100b"} {
		want, err := maxmemory.Normalize(raw)
		if err != nil {
			t.Fatalf("Normalize(%q): %v", raw, err)
		}
		if err := c.ConfigSet(ctx, "maxmemory", raw).Err(); err != nil {
			t.Fatalf("CONFIG SET maxmemory %s: %v", raw, err)
		}
		got, err := c.ConfigGet(ctx, "maxmemory").Result()
		if err != nil {
			t.Fatal(err)
		}
		if got["maxmemory"] != want {
			t.Errorf("maxmemory %s: CONFIG GET %q, Normalize %q", raw, got["maxmemory"], want)
		}
	}
	for _, raw := range []string{"lots", "5x", "-1mb"} {
		if _, err := maxmemory.Normalize(raw); err == nil {
			t.Errorf("Normalize(%q) accepted a value", raw)
		}
		if err := c.ConfigSet(ctx, "maxmemory", raw).Err(); err == nil {
			t.Errorf("Redis accepted maxmemory %q, which Normalize refuses", raw)
		}
	}
}

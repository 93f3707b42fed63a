package sentinel

import (
	"errors"
	"testing"
	"time"
)

// A table resolver: the pure state never does I/O, so names resolve from this map.
func tableResolver(names map[string]string) Resolver {
	return func(host string) (string, error) {
		if ip, ok := names[host]; ok {
			return ip, nil
		}
		return "", errors.New("no such host")
	}
}

func TestCanonicalAddrAndSameHost(t *testing.T) {
	names := map[string]string{"redis-0.redis": "10.0.0.1", "REDIS-1": "10.0.0.2"}
	cases := []struct {
		name              string
		resolve, announce bool
		in                Addr
		want              Addr
		ok                bool
	}{
		{"IP, hostnames off", false, false, Addr{"10.0.0.9", 1}, Addr{"10.0.0.9", 1}, true},
		{"name, hostnames off", false, false, Addr{"redis-0.redis", 1}, Addr{"redis-0.redis", 1}, false},
		{"name resolved, shown as IP", true, false, Addr{"redis-0.redis", 1}, Addr{"10.0.0.1", 1}, true},
		{"name resolved, shown as given", true, true, Addr{"redis-0.redis", 1}, Addr{"redis-0.redis", 1}, true},
		{"name that does not resolve", true, true, Addr{"gone", 1}, Addr{"gone", 1}, false},
		{"IPv6 kept", true, false, Addr{"::1", 1}, Addr{"::1", 1}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewState(GlobalConfig{ResolveHostnames: c.resolve, AnnounceHosts: c.announce}, DefaultParams(), 1)
			s.SetResolver(tableResolver(names))
			got, ok := s.canonicalAddr(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("canonicalAddr(%v) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}

	s := NewState(GlobalConfig{ResolveHostnames: true}, DefaultParams(), 1)
	s.SetResolver(tableResolver(names))
	for _, c := range []struct {
		known Addr
		host  string
		want  bool
	}{
		{Addr{"redis-0.redis", 1}, "10.0.0.1", true},      // a replica reports its master's IP
		{Addr{"10.0.0.1", 1}, "redis-0.redis", true},      // a peer announces the name
		{Addr{"redis-0.redis", 1}, "REDIS-0.redis", true}, // names compare case-insensitively
		{Addr{"redis-0.redis", 1}, "REDIS-1", false},
		{Addr{"gone", 1}, "gone", true}, // unresolvable: compared as strings
		{Addr{"gone", 1}, "10.0.0.1", false},
	} {
		if got := s.sameHost(c.known, c.host); got != c.want {
			t.Errorf("sameHost(%v, %q) = %v, want %v", c.known, c.host, got, c.want)
		}
	}
	s.Global.ResolveHostnames = false
	if s.sameHost(Addr{"redis-0.redis", 1}, "10.0.0.1") {
		t.Error("sameHost resolved a name with resolve-hostnames off")
	}
}

func TestCachingResolverLooksUpOncePerTTL(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lookups := 0
	r := CachingResolver(func(host string) (string, error) {
		lookups++
		if host == "gone" {
			return "", errors.New("no such host")
		}
		return "10.0.0.1", nil
	}, 5*time.Second, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ip, err := r("redis-0"); ip != "10.0.0.1" || err != nil {
			t.Fatalf("lookup %d: %q, %v", i, ip, err)
		}
		if _, err := r("gone"); err == nil {
			t.Fatal("a failed lookup was cached as a success")
		}
	}
	if lookups != 2 {
		t.Errorf("%d lookups within the TTL, want 2 (one per name, failures cached too)", lookups)
	}
	now = now.Add(5 * time.Second)
	r("redis-0")
	if lookups != 3 {
		t.Errorf("%d lookups after the TTL, want 3", lookups)
	}
}

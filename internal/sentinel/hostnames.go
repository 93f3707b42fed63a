package sentinel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Resolver turns a hostname into one IP address, as sentinel.c's anetResolve does (the first
// address getaddrinfo returns).
type Resolver func(host string) (string, error)

// resolveTimeout bounds one lookup: sentinel.c blocks its event loop on getaddrinfo, ours
// holds the engine's lock, so a dead DNS server must not stall the sentinel for long.
const resolveTimeout = 2 * time.Second

// NetResolver resolves with Go's resolver (/etc/hosts, then DNS).
func NetResolver(host string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("no address for %s", host)
	}
	return addrs[0], nil
}

// resolveCacheTTL is how long a lookup is reused. Names are compared on every INFO of every
// replica; without the cache each comparison would be a DNS round trip under the engine's
// lock, and a failing DNS server would stall the engine resolveTimeout at a time.
const resolveCacheTTL = 5 * time.Second

// CachingResolver wraps r so that each name is looked up at most once per ttl (failures
// included); now is the clock.
func CachingResolver(r Resolver, ttl time.Duration, now func() time.Time) Resolver {
	type entry struct {
		ip      string
		err     error
		expires time.Time
	}
	var mu sync.Mutex
	cache := map[string]entry{}
	return func(host string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		if e, ok := cache[host]; ok && t.Before(e.expires) {
			return e.ip, e.err
		}
		ip, err := r(host)
		cache[host] = entry{ip: ip, err: err, expires: t.Add(ttl)}
		return ip, err
	}
}

// SetResolver sets how hostnames are resolved when resolve-hostnames is on; without one, only
// IP addresses are accepted.
func (s *State) SetResolver(r Resolver) { s.resolver = r }

var errHostnamesOff = errors.New("not an IP address and resolve-hostnames is off")

// ipOf is anetResolve: an IP address stays as it is; a hostname is resolved only when
// resolve-hostnames is on (ANET_IP_ONLY otherwise).
func (s *State) ipOf(host string) (string, error) {
	if net.ParseIP(host) != nil {
		return host, nil
	}
	if !s.Global.ResolveHostnames || s.resolver == nil {
		return "", errHostnamesOff
	}
	return s.resolver(host)
}

// canonicalAddr is the address an instance created from host:port is known and shown by:
// sentinel.c resolves the host when it creates the instance, connects to the IP, and shows
// (announceSentinelAddr) the hostname as given with announce-hostnames, the IP without. Ours
// keeps the one form it shows; a hostname is dialled by name, so it is re-resolved on every
// connection rather than once. ok is false when the host does not resolve.
func (s *State) canonicalAddr(a Addr) (Addr, bool) {
	ip, err := s.ipOf(a.Host)
	if err != nil {
		return a, false
	}
	if s.Global.AnnounceHosts {
		return a, true
	}
	return Addr{Host: ip, Port: a.Port}, true
}

// knownAddr is canonicalAddr for addresses the sentinel already knew (its config file): an
// unresolvable name is kept as written, to be dialled (and so resolved) again later, where
// redis-sentinel 7.0 refuses to start. On Kubernetes a peer's name often resolves only once
// its pod runs again.
func (s *State) knownAddr(a Addr) Addr {
	c, _ := s.canonicalAddr(a)
	return c
}

// sameHost is sentinelAddrEqualsHostname: whether host (as another instance reports it: a
// replica's master_host, a hello's master address) names the instance at a. With
// resolve-hostnames both are compared as resolved IPs; a name that does not resolve is compared
// as a string.
func (s *State) sameHost(a Addr, host string) bool {
	if strings.EqualFold(a.Host, host) {
		return true
	}
	ipA, errA := s.ipOf(a.Host)
	ipB, errB := s.ipOf(host)
	return errA == nil && errB == nil && ipA == ipB
}

// sameAddr is sameHost with the port.
func (s *State) sameAddr(a, b Addr) bool {
	return a.Port == b.Port && s.sameHost(a, b.Host)
}

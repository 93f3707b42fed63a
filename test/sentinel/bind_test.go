package sentinel

import (
	"context"
	"testing"

	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// `bind 127.0.0.1 -192.0.2.1`: redis skips an address marked optional ("-") that the host does
// not have (192.0.2.1 is a documentation address, never assigned here) and serves on the rest,
// so the same file must start ours too. (StartSentinel waits for PING on 127.0.0.1 and fails
// the test if the process exits.)
func TestOptionalBindAddressIsSkippedLikeStock(t *testing.T) {
	for _, kind := range []sentinelKind{stock, ours} {
		t.Run(string(kind), func(t *testing.T) {
			so := redistest.SentinelOptions{Directives: []string{"bind 127.0.0.1 -192.0.2.1"}}
			if kind == ours {
				so.Binary = oursBinary
			}
			s := redistest.StartSentinel(t, so)
			if err := s.Client().Ping(context.Background()).Err(); err != nil {
				t.Fatalf("%s with an unavailable optional bind address: %v", kind, err)
			}
		})
	}
}

package render

import "fmt"

// Options are the inputs that come from the operator rather than from the RedisFailover.
type Options struct {
	// SentinelImage is the sentinel image used when spec.sentinel.image is empty: the operator's
	// own image, known only at run time. Required unless every spec sets its own.
	SentinelImage string
	// SentinelImplementation is the program the sentinel pods run; "" means
	// SentinelImplementationRedisFailover.
	SentinelImplementation SentinelImplementation
	// SentinelMetrics makes every sentinel serve Prometheus metrics on SentinelMetricsPort
	// (container port `metrics`). Only this project's sentinel has metrics (see Validate).
	SentinelMetrics bool
}

// SentinelImplementation names the program in the sentinel pods.
type SentinelImplementation string

const (
	// SentinelImplementationRedisFailover is this project's sentinel, `redis-failover sentinel`
	// from the sentinel image: the default and the one supported in production.
	SentinelImplementationRedisFailover SentinelImplementation = "redis-failover"
	// SentinelImplementationRedisSentinel is stock Redis Sentinel, `redis-server <conf>
	// --sentinel` from spec.redis.image (spec.sentinel.image is not used). It is a testing and
	// compatibility switch: the e2e benchmark runs the same operations against it as the
	// reference, and it shows that the operator speaks only the public Sentinel protocol.
	SentinelImplementationRedisSentinel SentinelImplementation = "redis-sentinel"
)

// ParseSentinelImplementation checks a --sentinel-implementation value.
func ParseSentinelImplementation(s string) (SentinelImplementation, error) {
	switch impl := SentinelImplementation(s); impl {
	case SentinelImplementationRedisFailover, SentinelImplementationRedisSentinel:
		return impl, nil
	}
	return "", fmt.Errorf("sentinel implementation %q is not known: use %q (the default) or %q (stock Redis Sentinel from the Redis image, for testing and compatibility)",
		s, SentinelImplementationRedisFailover, SentinelImplementationRedisSentinel)
}

// errMetricsNeedOwnSentinel refuses metrics for stock Redis Sentinel: redis-server has no
// metrics endpoint, and rendering the pods without one would leave the scrape configuration
// pointing at a port nobody serves.
var errMetricsNeedOwnSentinel = fmt.Errorf("--sentinel-metrics cannot be used with --sentinel-implementation=%s: stock Redis Sentinel serves no Prometheus metrics; drop --sentinel-metrics or use --sentinel-implementation=%s",
	SentinelImplementationRedisSentinel, SentinelImplementationRedisFailover)

// Validate checks that the options can be rendered together; the operator calls it at start
// so that a bad combination of flags stops it before any RedisFailover is reconciled.
func (o Options) Validate() error {
	impl := o.SentinelImplementation
	if impl == "" {
		impl = SentinelImplementationRedisFailover
	}
	if _, err := ParseSentinelImplementation(string(impl)); err != nil {
		return err
	}
	if o.SentinelMetrics && impl == SentinelImplementationRedisSentinel {
		return errMetricsNeedOwnSentinel
	}
	return nil
}

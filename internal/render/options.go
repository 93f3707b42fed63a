package render

// Options are the inputs that come from the operator rather than from the RedisFailover.
type Options struct {
	// SentinelImage is the sentinel image used when spec.sentinel.image is empty: the operator's
	// own image, known only at run time. Required unless every spec sets its own.
	SentinelImage string
	// SentinelMetrics makes every sentinel serve Prometheus metrics on SentinelMetricsPort
	// (container port `metrics`).
	SentinelMetrics bool
}

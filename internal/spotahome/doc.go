// Package spotahome converts spotahome/redis-operator's RedisFailover manifests
// (databases.spotahome.com/v1) into this project's (redis.failover.dev/v1alpha1): the apiVersion,
// and every field whose meaning differs, each marked with a YAML comment that says what changed.
// It is pure (bytes in, bytes out) so that `kubectl rf convert` stays a thin shell around it.
package spotahome

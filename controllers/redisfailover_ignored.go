package controllers

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// ignoredFields are the spec's fields accepted for compatibility with spotahome's RedisFailover
// that have no effect under this operator's options.
func ignoredFields(rf *redisv1alpha1.RedisFailover, opts render.Options) []string {
	fields := rf.IgnoredFields()
	if rf.Spec.Sentinel.Exporter.Enabled && opts.SentinelImplementation == render.SentinelImplementationRedisSentinel {
		fields = append(fields, "spec.sentinel.exporter.enabled (the operator runs stock Redis Sentinel, which serves no metrics)")
	}
	return fields
}

// ignoredFieldsCondition tells the user which fields were accepted but do nothing, so that a
// migrated manifest never does less than it says without a word. Pure.
func ignoredFieldsCondition(fields []string, generation int64) metav1.Condition {
	c := metav1.Condition{Type: redisv1alpha1.ConditionIgnoredFields, ObservedGeneration: generation}
	if len(fields) == 0 {
		c.Status, c.Reason, c.Message = metav1.ConditionFalse, redisv1alpha1.ReasonNoFieldsIgnored, "every field set has its effect"
		return c
	}
	c.Status, c.Reason = metav1.ConditionTrue, redisv1alpha1.ReasonFieldsIgnored
	c.Message = "accepted for compatibility with spotahome's RedisFailover but without effect: " + strings.Join(fields, "; ") + "; remove them to clear this condition"
	return c
}

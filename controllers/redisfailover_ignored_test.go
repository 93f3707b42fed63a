package controllers

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

func TestIgnoredFieldsCondition(t *testing.T) {
	stock := render.Options{SentinelImplementation: render.SentinelImplementationRedisSentinel}
	rows := []struct {
		name   string
		spec   redisv1alpha1.SentinelSettings
		opts   render.Options
		status metav1.ConditionStatus
		want   []string
	}{
		{"nothing set", redisv1alpha1.SentinelSettings{}, render.Options{}, metav1.ConditionFalse, nil},
		{"operator image", redisv1alpha1.SentinelSettings{Image: "ghcr.io/x/redis-failover-operator:1"}, render.Options{}, metav1.ConditionFalse, nil},
		{"redis image", redisv1alpha1.SentinelSettings{Image: "redis:4.0-alpine"}, render.Options{}, metav1.ConditionTrue, []string{"spec.sentinel.image redis:4.0-alpine"}},
		{"command", redisv1alpha1.SentinelSettings{Command: []string{"redis-server", "/redis/sentinel.conf", "--sentinel"}}, render.Options{}, metav1.ConditionTrue, []string{"spec.sentinel.command"}},
		{"exporter enabled only", redisv1alpha1.SentinelSettings{Exporter: redisv1alpha1.SentinelExporter{Enabled: true}}, render.Options{}, metav1.ConditionFalse, nil},
		{"exporter image", redisv1alpha1.SentinelSettings{Exporter: redisv1alpha1.SentinelExporter{Enabled: true, Image: "leominov/redis_sentinel_exporter:1.3.0"}}, render.Options{}, metav1.ConditionTrue, []string{"spec.sentinel.exporter image"}},
		{"exporter with stock sentinel", redisv1alpha1.SentinelSettings{Exporter: redisv1alpha1.SentinelExporter{Enabled: true}}, stock, metav1.ConditionTrue, []string{"spec.sentinel.exporter.enabled"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			rf := &redisv1alpha1.RedisFailover{Spec: redisv1alpha1.RedisFailoverSpec{Sentinel: row.spec}}
			c := ignoredFieldsCondition(ignoredFields(rf, row.opts), 7)
			if c.Type != redisv1alpha1.ConditionIgnoredFields || c.Status != row.status || c.ObservedGeneration != 7 {
				t.Fatalf("condition = %+v, want status %s", c, row.status)
			}
			for _, w := range row.want {
				if !strings.Contains(c.Message, w) {
					t.Errorf("message %q does not name %q", c.Message, w)
				}
			}
		})
	}
}

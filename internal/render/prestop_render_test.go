package render

import (
	"slices"
	"testing"

	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func TestRedisContainerHandsOverOnStop(t *testing.T) {
	cases := []struct {
		name        string
		grace       *int64
		wantGrace   int64
		wantTimeout string
	}{
		{name: "default grace period", wantGrace: DefaultRedisTerminationGracePeriodSeconds, wantTimeout: "10"},
		{name: "long grace period keeps the hook's bound", grace: ptr.To[int64](120), wantGrace: 120, wantTimeout: "10"},
		{name: "short grace period shortens the hook", grace: ptr.To[int64](15), wantGrace: 15, wantTimeout: "5"},
		{name: "tiny grace period still leaves the hook a second", grace: ptr.To[int64](3), wantGrace: 3, wantTimeout: "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := mustRender(t, newRF(func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Redis.TerminationGracePeriodSeconds = tc.grace
				rf.Spec.Sentinel.MasterName = "orders"
			}))
			pod := set.RedisStatefulSet.Spec.Template.Spec
			if got := ptr.Deref(pod.TerminationGracePeriodSeconds, -1); got != tc.wantGrace {
				t.Errorf("terminationGracePeriodSeconds = %d, want %d", got, tc.wantGrace)
			}
			c := pod.Containers[0]
			if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Exec == nil {
				t.Fatalf("the Redis container has no exec preStop hook: %+v", c.Lifecycle)
			}
			want := []string{"sh", "/etc/redis/prestop.sh", "6379", "/etc/redis-secret/password", "rfs-cache", "26379", "orders", tc.wantTimeout}
			if got := c.Lifecycle.PreStop.Exec.Command; !slices.Equal(got, want) {
				t.Errorf("preStop command = %q, want %q", got, want)
			}
			if set.RedisConfigMap.Data[preStopScriptKey] != preStopScript {
				t.Errorf("the Redis ConfigMap does not carry %s", preStopScriptKey)
			}
		})
	}
}

func TestSentinelPodsHaveNoHandoverHook(t *testing.T) {
	set := mustRender(t, newRF())
	for _, c := range set.SentinelDeployment.Spec.Template.Spec.Containers {
		if c.Lifecycle != nil {
			t.Errorf("sentinel container %s has a lifecycle hook: %+v", c.Name, c.Lifecycle)
		}
	}
}

package controllers

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/podtrouble"
)

// Pods that do not run say why in their own status, and the PodsRunning condition repeats it:
// an image that cannot be pulled, a crash loop with Redis's own last lines (FATAL CONFIG FILE
// ERROR ...), an unschedulable pod or an unbound claim. Without it, all a user saw was
// "0 of 3 Redis nodes answer" while the answer sat in a pod's log.

// podsCondition is PodsRunning for the RedisFailover's pods. A Redis pod on the StatefulSet's
// update revision in trouble while others still run an older one is a halted rollout: the
// rollout restarts one node at a time and goes on only when the group is Ready, so the bad
// template stopped at that pod, and the message says the others were not touched. Pure.
func podsCondition(redisPods, sentinelPods []corev1.Pod, updateRevision string) metav1.Condition {
	var troubles []podtrouble.Trouble
	halted := ""
	outdated := 0
	for i := range redisPods {
		p := &redisPods[i]
		onUpdate := updateRevision != "" && p.Labels[appsv1.ControllerRevisionHashLabelKey] == updateRevision
		if updateRevision != "" && !onUpdate && p.DeletionTimestamp == nil {
			outdated++
		}
		if t, ok := podtrouble.Explain(p); ok {
			troubles = append(troubles, t)
			if onUpdate && halted == "" {
				halted = p.Name
			}
		}
	}
	for i := range sentinelPods {
		if t, ok := podtrouble.Explain(&sentinelPods[i]); ok {
			troubles = append(troubles, t)
		}
	}
	if len(troubles) == 0 {
		return metav1.Condition{Type: redisv1alpha1.ConditionPodsRunning, Status: metav1.ConditionTrue,
			Reason: redisv1alpha1.ReasonPodsRunning, Message: "every Redis and sentinel pod runs"}
	}
	c := metav1.Condition{Type: redisv1alpha1.ConditionPodsRunning, Status: metav1.ConditionFalse,
		Reason: troubles[0].Reason, Message: podtrouble.Summary(troubles)}
	if halted != "" && outdated > 0 {
		c.Reason = redisv1alpha1.ReasonRolloutHalted
		c.Message = fmt.Sprintf("the rollout of the new pod template halted at %s, which does not run (%s); the %d pod(s) on the previous template were not touched: revert the change or fix it, and the rollout goes on",
			halted, c.Message, outdated)
	}
	return c
}

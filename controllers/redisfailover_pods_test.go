package controllers

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func TestPodsConditionNamesTheCauseAndAHaltedRollout(t *testing.T) {
	pod := func(name, revision string, status ...corev1.ContainerStatus) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{appsv1.ControllerRevisionHashLabelKey: revision}},
			Status: corev1.PodStatus{ContainerStatuses: status}}
	}
	running := corev1.ContainerStatus{Name: "redis", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	crashing := corev1.ContainerStatus{Name: "redis", RestartCount: 2,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1,
			Message: "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n>>> 'maxmemory \"lots\"'\nargument must be a memory value\n"}}}
	pulling := corev1.ContainerStatus{Name: "sentinel", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
		Reason: "ImagePullBackOff", Message: `Back-off pulling image "example.com/nope:1"`}}}

	cases := []struct {
		name            string
		redis, sentinel []corev1.Pod
		status          metav1.ConditionStatus
		reason, message string
	}{
		{"all running", []corev1.Pod{pod("rfr-c-0", "new", running)}, []corev1.Pod{pod("rfs-c-x", "", running)},
			metav1.ConditionTrue, redisv1alpha1.ReasonPodsRunning, "every Redis and sentinel pod runs"},
		{"a new RedisFailover whose config Redis refuses: every pod on the one revision",
			[]corev1.Pod{pod("rfr-c-0", "new", crashing), pod("rfr-c-1", "new", crashing)}, nil,
			metav1.ConditionFalse, "CrashLoopBackOff", `rfr-c-0 (container redis): CrashLoopBackOff: exit code 1: *** FATAL CONFIG FILE ERROR (Redis 7.0.15) *** | >>> 'maxmemory "lots"' | argument must be a memory value; rfr-c-1`},
		{"a sentinel image that cannot be pulled", []corev1.Pod{pod("rfr-c-0", "new", running)}, []corev1.Pod{pod("rfs-c-x", "", pulling)},
			metav1.ConditionFalse, "ImagePullBackOff", `rfs-c-x (container sentinel): ImagePullBackOff: Back-off pulling image "example.com/nope:1"`},
		{"a running group patched to a bad config: halted at the canary",
			[]corev1.Pod{pod("rfr-c-0", "old", running), pod("rfr-c-1", "old", running), pod("rfr-c-2", "new", crashing)}, nil,
			metav1.ConditionFalse, redisv1alpha1.ReasonRolloutHalted,
			"the rollout of the new pod template halted at rfr-c-2, which does not run (rfr-c-2 (container redis): CrashLoopBackOff: exit code 1:"},
		{"halted: the untouched pods are counted", []corev1.Pod{pod("rfr-c-0", "old", running), pod("rfr-c-1", "old", running), pod("rfr-c-2", "new", crashing)}, nil,
			metav1.ConditionFalse, redisv1alpha1.ReasonRolloutHalted, "the 2 pod(s) on the previous template were not touched: revert the change or fix it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := podsCondition(c.redis, c.sentinel, "new")
			if got.Type != redisv1alpha1.ConditionPodsRunning || got.Status != c.status || got.Reason != c.reason || !strings.Contains(got.Message, c.message) {
				t.Errorf("podsCondition = %s %s %q, want %s %s containing %q", got.Status, got.Reason, got.Message, c.status, c.reason, c.message)
			}
		})
	}
}

func TestReadyCarriesThePodsCauseWhileNotReady(t *testing.T) {
	pods := metav1.Condition{Type: redisv1alpha1.ConditionPodsRunning, Status: metav1.ConditionFalse, Reason: "ImagePullBackOff", Message: "rfr-c-0: ImagePullBackOff"}
	notReady := metav1.Condition{Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: redisv1alpha1.ReasonNoMaster, Message: "0 of 3 Redis nodes answer"}
	got := withPodsCause([]metav1.Condition{notReady}, pods)
	if len(got) != 2 || got[0].Reason != "ImagePullBackOff" || got[0].Message != pods.Message || got[1] != pods {
		t.Errorf("withPodsCause = %+v, want Ready with the pods' cause, and PodsRunning", got)
	}
	// A group that is Ready stays Ready (an exporter sidecar crash-looping, say): PodsRunning
	// alone says so.
	ready := metav1.Condition{Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: redisv1alpha1.ReasonReady, Message: "fine"}
	if got := withPodsCause([]metav1.Condition{ready}, pods); got[0] != ready {
		t.Errorf("Ready changed to %+v", got[0])
	}
}

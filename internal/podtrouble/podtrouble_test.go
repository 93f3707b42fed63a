package podtrouble

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fatalConfig is what redis-server 7.0 prints for a bad config line, as it reaches the
// termination message through FallbackToLogsOnError.
const fatalConfig = `1:C 02 Dec 2026 07:00:00.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo

*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
Reading the configuration file, at line 12
>>> 'maxmemory "lots"'
argument must be a memory value
`

func TestExplain(t *testing.T) {
	pod := func(mutate func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "rfr-cache-2"}}
		mutate(p)
		return p
	}
	waiting := func(name, reason, msg string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
	}
	cases := []struct {
		name string
		pod  *corev1.Pod
		want string // "" = no trouble
	}{
		{"running", pod(func(p *corev1.Pod) {
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "redis", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
		}), ""},
		{"starting: creating the container is no trouble", pod(func(p *corev1.Pod) {
			p.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("redis", "ContainerCreating", "")}
		}), ""},
		{"image that cannot be pulled", pod(func(p *corev1.Pod) {
			p.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("redis", "ImagePullBackOff", `Back-off pulling image "redis:nope"`)}
		}), `rfr-cache-2 (container redis): ImagePullBackOff: Back-off pulling image "redis:nope"`},
		{"crash loop: the server's own last lines", pod(func(p *corev1.Pod) {
			s := waiting("redis", "CrashLoopBackOff", "back-off 40s restarting failed container=redis")
			s.RestartCount = 3
			s.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: fatalConfig}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{s}
		}), `rfr-cache-2 (container redis): CrashLoopBackOff: exit code 1: *** FATAL CONFIG FILE ERROR (Redis 7.0.15) *** | Reading the configuration file, at line 12 | >>> 'maxmemory "lots"' | argument must be a memory value`},
		{"just crashed, before the back-off: told the same way", pod(func(p *corev1.Pod) {
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "redis", RestartCount: 4,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Message: fatalConfig}}}}
		}), `rfr-cache-2 (container redis): CrashLoopBackOff: exit code 1: *** FATAL CONFIG FILE ERROR`},
		{"killed for memory", pod(func(p *corev1.Pod) {
			s := waiting("redis", "CrashLoopBackOff", "")
			s.RestartCount = 1
			s.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{s}
		}), `CrashLoopBackOff: exit code 137 (OOMKilled)`},
		{"an init container first", pod(func(p *corev1.Pod) {
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{waiting("init", "CreateContainerConfigError", `secret "cache-auth" not found`)}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("redis", "PodInitializing", "")}
		}), `rfr-cache-2 (container init): CreateContainerConfigError: secret "cache-auth" not found`},
		{"unschedulable, with a claim that is not bound", pod(func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
				Message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."}}
		}), `rfr-cache-2: Unschedulable: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.`},
		{"being deleted", pod(func(p *corev1.Pod) {
			now := metav1.Now()
			p.DeletionTimestamp = &now
			p.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("redis", "ImagePullBackOff", "")}
		}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Explain(c.pod)
			if c.want == "" {
				if ok {
					t.Fatalf("Explain = %q, want no trouble", got)
				}
				return
			}
			if !ok || !strings.Contains(got.String(), c.want) {
				t.Fatalf("Explain = %q (%t), want it to contain %q", got, ok, c.want)
			}
			if strings.Contains(got.String(), "restarted") {
				t.Errorf("the message %q changes with every restart", got)
			}
		})
	}
}

func TestSummaryShowsThreeAndCountsTheRest(t *testing.T) {
	var ts []Trouble
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		ts = append(ts, Trouble{Pod: p, Reason: "ImagePullBackOff"})
	}
	if got, want := Summary(ts), "a: ImagePullBackOff; b: ImagePullBackOff; c: ImagePullBackOff; and 2 more"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

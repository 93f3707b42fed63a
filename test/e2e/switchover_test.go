package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// kubectlRF runs the project's kubectl plugin, the binary `make build` puts into bin/, as
// `kubectl rf` would, against the test cluster ($KUBECONFIG).
func kubectlRF(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "bin", "redis-failover"), append([]string{"kubectl-rf"}, args...)...)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	t.Logf("kubectl rf %s:\n%s", strings.Join(args, " "), out)
	return string(out), err
}

// sentinelLogsContain reports whether any sentinel pod of the RedisFailover logged s.
func sentinelLogsContain(ctx context.Context, f *framework.Framework, ns, name, s string) (bool, error) {
	var pods corev1.PodList
	if err := f.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: name, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentSentinel}); err != nil {
		return false, err
	}
	for _, p := range pods.Items {
		b, err := f.Clientset.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil {
			return false, fmt.Errorf("logs of %s: %w", p.Name, err)
		}
		if strings.Contains(string(b), s) {
			return true, nil
		}
	}
	return false, nil
}

// A switchover on request, first letting the sentinels choose, then to a named replica, with a
// checking writer through the sentinels: no acknowledged write is lost, the master moves where
// asked, status.switchover and lastFailover say so, and the target's replica-priority is
// restored. A request to make the master master is rejected and changes nothing.
func TestSwitchoverOnRequestLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-switchover")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "sw", "")
	rf := waitReady(t, f, ns, "sw")
	writer := startWriter(t, f, rf, "")

	first := rf.Status.Master.Pod
	statuses := watchStatuses(t, f, rf)
	writer.Mark("switchover to any requested")
	if _, err := kubectlRF(t, "switchover", "sw", "-n", ns); err != nil {
		t.Fatalf("kubectl rf switchover sw: %v", err)
	}
	rf = waitReady(t, f, ns, "sw")
	second := rf.Status.Master.Pod
	checkSwitchover(t, rf, redisv1alpha1.SwitchoverToAny, first, second)
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)

	var target string
	for _, n := range rf.Status.Nodes {
		if n.Pod != first && n.Pod != second {
			target = n.Pod
		}
	}
	writer.Mark("switchover to " + target + " requested")
	if _, err := kubectlRF(t, "switchover", "sw", "-n", ns, "--to", target); err != nil {
		t.Fatalf("kubectl rf switchover sw --to %s: %v", target, err)
	}
	rf = waitReady(t, f, ns, "sw")
	if rf.Status.Master.Pod != target {
		t.Fatalf("master is %s after a switchover to %s", rf.Status.Master.Pod, target)
	}
	checkSwitchover(t, rf, target, second, target)
	if sw := rf.Status.Switchover; sw.TargetPriority == nil || *sw.TargetPriority != 100 {
		t.Errorf("status.switchover.targetPriority = %v, want the original 100", sw.TargetPriority)
	}
	if out, err := redisCLI(ctx, f, ns, target, "CONFIG", "GET", "replica-priority"); err != nil || !strings.HasSuffix(strings.TrimSpace(out), "100") {
		t.Errorf("%s's replica-priority after the switchover: %q (%v), want it restored to 100", target, out, err)
	}
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)

	out, err := kubectlRF(t, "switchover", "sw", "-n", ns, "--to", target)
	if err == nil || !strings.Contains(out, "already the master") {
		t.Errorf("a switchover to the master itself should fail with the reason: %v\n%s", err, out)
	}
	rf = waitReady(t, f, ns, "sw")
	if rf.Status.Master.Pod != target || rf.Status.Switchover.Phase != redisv1alpha1.SwitchoverRejected {
		t.Errorf("after a rejected request: master %s, switchover %+v", rf.Status.Master.Pod, rf.Status.Switchover)
	}
	if status, err := kubectlRF(t, "status", "sw", "-n", ns); err != nil || !strings.Contains(status, "Master:") || !strings.Contains(status, target) {
		t.Errorf("kubectl rf status: %v\n%s", err, status)
	}

	v := writer.StopAndVerify(ctx)
	if v.Master != rf.Status.Master.IP+":6379" {
		t.Errorf("the sentinels name %s master, the status %s", v.Master, rf.Status.Master.IP)
	}
	// Every version of the status written during the switchovers, not only the ones polled:
	// a switchover recorded as succeeded must never stand beside the master it moved from.
	for _, st := range statuses.stop() {
		if sw := st.Switchover; sw != nil && sw.Phase == redisv1alpha1.SwitchoverSucceeded && st.Master != nil && st.Master.Pod == sw.From {
			t.Errorf("a status written during the switchovers says %q (%s) while status.master is still %s", sw.Phase, sw.Result, st.Master.Pod)
		}
	}
}

// statusWatch collects every version of a RedisFailover's status the API server sends.
type statusWatch struct {
	w    watch.Interface
	done chan []redisv1alpha1.RedisFailoverStatus
}

func watchStatuses(t *testing.T, f *framework.Framework, rf *redisv1alpha1.RedisFailover) *statusWatch {
	t.Helper()
	wc, err := client.NewWithWatch(f.RESTConfig, client.Options{Scheme: f.Client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := wc.Watch(t.Context(), &redisv1alpha1.RedisFailoverList{}, client.InNamespace(rf.Namespace),
		client.MatchingFields{"metadata.name": rf.Name})
	if err != nil {
		t.Fatalf("watching %s: %v", rf.Name, err)
	}
	sw := &statusWatch{w: w, done: make(chan []redisv1alpha1.RedisFailoverStatus, 1)}
	go func() {
		var seen []redisv1alpha1.RedisFailoverStatus
		for ev := range w.ResultChan() {
			if got, ok := ev.Object.(*redisv1alpha1.RedisFailover); ok {
				seen = append(seen, *got.Status.DeepCopy())
			}
		}
		sw.done <- seen
	}()
	return sw
}

func (sw *statusWatch) stop() []redisv1alpha1.RedisFailoverStatus {
	sw.w.Stop()
	return <-sw.done
}

func checkSwitchover(t *testing.T, rf *redisv1alpha1.RedisFailover, requested, from, to string) {
	t.Helper()
	sw := rf.Status.Switchover
	if sw == nil || sw.Phase != redisv1alpha1.SwitchoverSucceeded || sw.Requested != requested || sw.From != from || sw.Finished == nil {
		t.Fatalf("status.switchover = %+v, want Succeeded, requested %q, from %s", sw, requested, from)
	}
	if to == from {
		t.Fatalf("the master did not move from %s", from)
	}
	if lf := rf.Status.LastFailover; lf == nil || lf.From != from || lf.To != to || lf.Reason != redisv1alpha1.FailoverReasonSwitchover {
		t.Errorf("lastFailover = %+v, want %s -> %s, reason %s", lf, from, to, redisv1alpha1.FailoverReasonSwitchover)
	}
	c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionSwitchover)
	if c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Switchover condition = %+v, want True", c)
	}
	if _, ok := rf.Annotations[redisv1alpha1.AnnotationSwitchover]; ok {
		t.Errorf("the annotation is still there after the switchover")
	}
}

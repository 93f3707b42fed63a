package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// dumpLogLines is how much of each container's log a failed test shows.
const dumpLogLines = 40

// DumpNamespace logs what a failed test leaves in its namespace: every pod with its phase,
// conditions and container states, the tail of each container's log, and the namespace's events
// in time order. It is what one would otherwise ask kubectl for after the namespace is gone.
func (f *Framework) DumpNamespace(ctx context.Context, t testing.TB, namespace string) {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(ctx, &pods, client.InNamespace(namespace)); err != nil {
		t.Logf("dump %s: listing pods: %v", namespace, err)
	}
	for i := range pods.Items {
		pod := &pods.Items[i]
		t.Logf("dump %s: pod %s on %q phase=%s ip=%s conditions=%s", namespace, pod.Name, pod.Spec.NodeName,
			pod.Status.Phase, pod.Status.PodIP, podConditions(pod))
		for _, cs := range append(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses...) {
			t.Logf("dump %s:   container %s ready=%t restarts=%d state=%s", namespace, cs.Name, cs.Ready, cs.RestartCount, containerState(cs.State))
			tail := int64(dumpLogLines)
			logs, err := f.Clientset.CoreV1().Pods(namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: cs.Name, TailLines: &tail}).DoRaw(ctx)
			if err != nil {
				t.Logf("dump %s:   logs of %s/%s: %v", namespace, pod.Name, cs.Name, err)
				continue
			}
			for _, line := range strings.Split(strings.TrimRight(string(logs), "\n"), "\n") {
				t.Logf("dump %s:   | %s", namespace, line)
			}
		}
	}
	for _, gvk := range f.dumpStatusOf {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := f.Client.List(ctx, list, client.InNamespace(namespace)); err != nil {
			t.Logf("dump %s: listing %s: %v", namespace, gvk.Kind, err)
			continue
		}
		for _, o := range list.Items {
			status, err := json.MarshalIndent(o.Object["status"], "", "  ")
			if err != nil {
				status = []byte(err.Error())
			}
			t.Logf("dump %s: %s %s status:", namespace, gvk.Kind, o.GetName())
			for _, line := range strings.Split(string(status), "\n") {
				t.Logf("dump %s:   | %s", namespace, line)
			}
		}
	}
	var events corev1.EventList
	if err := f.Client.List(ctx, &events, client.InNamespace(namespace)); err != nil {
		t.Logf("dump %s: listing events: %v", namespace, err)
		return
	}
	sort.SliceStable(events.Items, func(i, j int) bool {
		return eventTime(&events.Items[i]).Before(eventTime(&events.Items[j]))
	})
	for _, e := range events.Items {
		t.Logf("dump %s: event %s %s/%s %s: %s", namespace, e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, e.Message)
	}
}

// eventTime is when an event last happened: LastTimestamp for core/v1 recorders; events/v1
// recorders (controller-runtime's) set only EventTime and the series' last observed time.
func eventTime(e *corev1.Event) time.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

func podConditions(pod *corev1.Pod) string {
	parts := make([]string, 0, len(pod.Status.Conditions))
	for _, c := range pod.Status.Conditions {
		parts = append(parts, fmt.Sprintf("%s=%s", c.Type, c.Status))
	}
	return strings.Join(parts, ",")
}

func containerState(s corev1.ContainerState) string {
	switch {
	case s.Running != nil:
		return "running since " + s.Running.StartedAt.String()
	case s.Waiting != nil:
		return fmt.Sprintf("waiting (%s: %s)", s.Waiting.Reason, s.Waiting.Message)
	case s.Terminated != nil:
		return fmt.Sprintf("terminated (%s, exit %d: %s)", s.Terminated.Reason, s.Terminated.ExitCode, s.Terminated.Message)
	}
	return "unknown"
}

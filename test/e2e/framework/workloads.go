package framework

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitForStatefulSetReady waits until every replica of a StatefulSet is Ready at its current
// revision, and returns its pods in ordinal order.
func (f *Framework) WaitForStatefulSetReady(ctx context.Context, t testing.TB, namespace, name string, timeout time.Duration) []corev1.Pod {
	t.Helper()
	var sts appsv1.StatefulSet
	WaitFor(ctx, t, timeout, fmt.Sprintf("StatefulSet %s/%s to be ready", namespace, name), func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &sts); err != nil {
			return false, err
		}
		want := int32(1)
		if sts.Spec.Replicas != nil {
			want = *sts.Spec.Replicas
		}
		st := sts.Status
		if st.ObservedGeneration < sts.Generation || st.ReadyReplicas != want || st.UpdatedReplicas != want {
			return false, fmt.Errorf("ready %d/%d, updated %d/%d, observed generation %d/%d",
				st.ReadyReplicas, want, st.UpdatedReplicas, want, st.ObservedGeneration, sts.Generation)
		}
		return true, nil
	})
	pods := make([]corev1.Pod, *sts.Spec.Replicas)
	for i := range pods {
		key := client.ObjectKey{Namespace: namespace, Name: fmt.Sprintf("%s-%d", name, i)}
		if err := f.Client.Get(ctx, key, &pods[i]); err != nil {
			t.Fatalf("getting pod %s: %v", key, err)
		}
	}
	return pods
}

// WaitForPodReady waits until a pod's Ready condition is True.
func (f *Framework) WaitForPodReady(ctx context.Context, t testing.TB, namespace, name string, timeout time.Duration) *corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	WaitFor(ctx, t, timeout, fmt.Sprintf("pod %s/%s to be ready", namespace, name), func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &pod); err != nil {
			return false, err
		}
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, fmt.Errorf("phase %s, conditions %s", pod.Status.Phase, podConditions(&pod))
	})
	return &pod
}

// PodUIDs maps each pod the selector matches to its UID: a pod replaced under the same name
// (a StatefulSet's) shows as a new UID.
func (f *Framework) PodUIDs(ctx context.Context, t testing.TB, namespace string, selector client.MatchingLabels) map[string]types.UID {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(ctx, &pods, client.InNamespace(namespace), selector); err != nil {
		t.Fatalf("listing pods %v in %s: %v", selector, namespace, err)
	}
	uids := map[string]types.UID{}
	for _, p := range pods.Items {
		uids[p.Name] = p.UID
	}
	return uids
}

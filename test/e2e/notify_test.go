package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/notify"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// receiverCall is what test/e2e/webhookreceiver records of one POST.
type receiverCall struct {
	At       time.Time           `json:"at"`
	Accepted bool                `json:"accepted"`
	Body     notify.Notification `json:"body"`
}

// The webhook of spec.notifications, against an HTTP receiver running in the cluster
// (test/e2e/webhookreceiver) that refuses its first two calls: the operator retries them, the
// notifications of a failover arrive in order with the old and new master, and the URL's token
// never shows in an Event. Then the Secret points at a port where nothing listens: a switchover
// still completes (delivery never holds up the reconcile), and the lost notification is
// reported as a NotificationFailed Event.
func TestWebhookNotificationsOfAFailover(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-notify")
	ctx := t.Context()
	receiverIP := startWebhookReceiver(t, f, ns, 2)
	const token = "e2e-s3cret"
	hookURL := "http://hook." + ns + ".svc.cluster.local:8080/hook?token=" + token
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"}, StringData: map[string]string{"url": hookURL}}
	if err := f.Client.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	createRedisFailover(t, f, ns, "nt", "", func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Notifications.Webhook = &redisv1alpha1.WebhookNotifications{URLSecretRef: redisv1alpha1.SecretKeyRef{Name: "hook"}}
	})
	rf := waitReady(t, f, ns, "nt")
	old := rf.Status.Master.Pod
	w := startWriter(t, f, rf, "")

	w.Mark("master pod " + old + " deleted")
	if err := f.Client.Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: old}}); err != nil {
		t.Fatal(err)
	}
	var moved receiverCall
	framework.WaitFor(ctx, t, 2*time.Minute, "a MasterChanged notification from "+old, func(ctx context.Context) (bool, error) {
		calls, err := receivedCalls(ctx, receiverIP)
		if err != nil {
			return false, err
		}
		for _, c := range calls {
			if c.Accepted && c.Body.Event == redisv1alpha1.ReasonMasterChanged && c.Body.OldMaster == old {
				moved = c
				return true, nil
			}
		}
		return false, fmt.Errorf("%d calls, no accepted MasterChanged from %s yet", len(calls), old)
	})
	n := moved.Body
	if n.NewMaster == "" || n.NewMaster == old || n.Master != n.NewMaster || n.Type != corev1.EventTypeWarning ||
		n.Resource != (notify.Resource{APIVersion: "redis.failover.dev/v1alpha1", Kind: "RedisFailover", Namespace: ns, Name: "nt", UID: rf.UID}) ||
		!strings.Contains(n.Reason, old) || n.Time.IsZero() || n.Time.After(moved.At.Add(time.Second)) {
		t.Errorf("MasterChanged notification %+v", n)
	}
	t.Logf("MasterChanged from %s to %s: seen by the operator at %s, received %s later", old, n.NewMaster,
		n.Time.Format("15:04:05.000"), moved.At.Sub(n.Time).Round(time.Millisecond))
	rf = waitReadyWithMaster(t, f, ns, "nt", n.NewMaster)

	calls, err := receivedCalls(ctx, receiverIP)
	if err != nil {
		t.Fatal(err)
	}
	// The receiver refused the first two calls: the same notification must have come again.
	if len(calls) < 3 || calls[0].Accepted || calls[1].Accepted || !calls[2].Accepted ||
		calls[0].Body != calls[2].Body || calls[1].Body != calls[2].Body {
		t.Errorf("want two refused calls and then the same notification accepted; got %s", describeCalls(calls))
	}
	var accepted []notify.Notification
	for _, c := range calls {
		if c.Accepted {
			accepted = append(accepted, c.Body)
		}
	}
	for i := 1; i < len(accepted); i++ {
		if accepted[i].Time.Before(accepted[i-1].Time) {
			t.Errorf("notifications out of order: %s (%s) after %s (%s)", accepted[i].Event, accepted[i].Time, accepted[i-1].Event, accepted[i-1].Time)
		}
	}
	t.Logf("notifications received: %s", describeCalls(calls))

	// Nothing listens on the receiver pod's port 9: every attempt is refused, and the reconcile
	// must not wait for them.
	secret.StringData = map[string]string{"url": "http://" + net.JoinHostPort(receiverIP, "9") + "/hook?token=" + token}
	if err := f.Client.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	var target string
	for _, node := range rf.Status.Nodes {
		if node.Pod != rf.Status.Master.Pod {
			target = node.Pod
		}
	}
	w.Mark("switchover to " + target + " with the webhook unreachable")
	if _, err := kubectlRF(t, "switchover", "nt", "-n", ns, "--to", target); err != nil {
		t.Fatalf("kubectl rf switchover nt --to %s: %v", target, err)
	}
	waitReadyWithMaster(t, f, ns, "nt", target)
	waitEvent(t, f, ns, "nt", redisv1alpha1.ReasonNotificationFailed, "refused")
	w.StopAndVerify(ctx)

	if out, err := kubectlRF(t, "status", "nt", "-n", ns); err != nil || strings.Contains(out, token) {
		t.Errorf("kubectl rf status shows the webhook token or fails: %v\n%s", err, out)
	}
	assertNoEventMentions(t, f, ns, token)
}

// startWebhookReceiver runs test/e2e/webhookreceiver as a pod behind the Service "hook" and
// returns the pod's IP (the test host reaches pod addresses directly).
func startWebhookReceiver(t *testing.T, f *framework.Framework, ns string, failFirst int) string {
	t.Helper()
	ctx := t.Context()
	labels := map[string]string{"app": "hook"}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook", Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "receiver", Image: framework.Setting(t, "WEBHOOK_RECEIVER_IMAGE"), ImagePullPolicy: corev1.PullNever,
			Args:  []string{fmt.Sprintf("--fail-first=%d", failFirst)},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/healthz", Port: intstr.FromString("http")}}, PeriodSeconds: 1},
		}}},
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromString("http")}}},
	}
	for _, o := range []client.Object{pod, svc} {
		if err := f.Client.Create(ctx, o); err != nil {
			t.Fatalf("creating the webhook receiver: %v", err)
		}
	}
	return f.WaitForPodReady(ctx, t, ns, "hook", 2*time.Minute).Status.PodIP
}

func receivedCalls(ctx context.Context, ip string) ([]receiverCall, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(ip, "8080")+"/received", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var calls []receiverCall
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		return nil, fmt.Errorf("decoding the receiver's calls: %w", err)
	}
	return calls, nil
}

func describeCalls(calls []receiverCall) string {
	var parts []string
	for _, c := range calls {
		state := "accepted"
		if !c.Accepted {
			state = "refused"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", c.At.Format("15:04:05.000"), c.Body.Event, state))
	}
	return strings.Join(parts, ", ")
}

// assertNoEventMentions fails the test when an Event of the namespace contains s.
func assertNoEventMentions(t *testing.T, f *framework.Framework, ns, s string) {
	t.Helper()
	var events corev1.EventList
	if err := f.Client.List(t.Context(), &events, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, e := range events.Items {
		if strings.Contains(e.Message, s) {
			t.Errorf("Event %s %s shows the webhook token: %s", e.Reason, e.InvolvedObject.Name, e.Message)
		}
	}
}

package controllers

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/notify"
)

// Notifications: every Event the operator records about a RedisFailover with
// spec.notifications.webhook is also posted to the webhook, by internal/notify, outside the
// reconcile. The URL is read from its Secret at delivery, never stored.

// masterChange is the old and new master of a MasterChanged notification.
type masterChange struct{ from, to string }

// notify queues the notification of one Event; it never blocks.
func (r *RedisFailoverReconciler) notify(rf *redisv1alpha1.RedisFailover, eventtype, reason, note string, change *masterChange) {
	hook := rf.Spec.Notifications.Webhook
	// A failed notification is reported as an Event; notifying it would loop.
	if r.Notifier == nil || hook == nil || reason == redisv1alpha1.ReasonNotificationFailed {
		return
	}
	n := notify.Notification{
		Resource: notify.Resource{APIVersion: redisv1alpha1.GroupVersion.String(), Kind: "RedisFailover",
			Namespace: rf.Namespace, Name: rf.Name, UID: rf.UID},
		Event: reason, Type: eventtype, Reason: note, Time: metav1.Now().UTC(),
	}
	if m := rf.Status.Master; m != nil {
		n.Master = m.Pod
	}
	if change != nil {
		n.OldMaster, n.NewMaster, n.Master = change.from, change.to, change.to
	}
	r.Notifier.Send(client.ObjectKeyFromObject(rf), r.webhookURL(rf.Namespace, hook.URLSecretRef), n)
}

// webhookURL reads the URL from its Secret when a notification is delivered.
func (r *RedisFailoverReconciler) webhookURL(namespace string, ref redisv1alpha1.SecretKeyRef) notify.URLSource {
	key := ref.Key
	if key == "" {
		key = "url"
	}
	return func(ctx context.Context) (string, error) {
		secret := &corev1.Secret{}
		if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, secret); err != nil {
			return "", fmt.Errorf("reading Secret %s/%s of spec.notifications.webhook.urlSecretRef: %w", namespace, ref.Name, err)
		}
		raw, ok := secret.Data[key]
		if !ok {
			return "", fmt.Errorf("the Secret %s/%s has no key %q (spec.notifications.webhook.urlSecretRef.key): add the webhook URL under it", namespace, ref.Name, key)
		}
		return checkWebhookURL(strings.TrimSpace(string(raw)), fmt.Sprintf("key %q of Secret %s/%s", key, namespace, ref.Name))
	}
}

// checkWebhookURL accepts absolute http and https URLs; the error names where the URL came from
// and never the URL itself, which may carry a token.
func checkWebhookURL(raw, where string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s is not an http:// or https:// URL with a host: put the webhook's full URL there", where)
	}
	return raw, nil
}

// NotificationFailures turns the notifications given up on into NotificationFailed Events on
// their RedisFailover and counts every outcome; pass it as the Notifier's OnFailure.
func NotificationFailures(recorder events.EventRecorder) func(notify.Failure) {
	return func(f notify.Failure) {
		res := f.Notification.Resource
		notificationsTotal.WithLabelValues(res.Namespace, res.Name, "failed").Inc()
		if recorder == nil {
			return
		}
		rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: res.Namespace, Name: res.Name, UID: res.UID}}
		attempts := "refused before any attempt"
		if f.Attempts > 0 {
			attempts = fmt.Sprintf("given up after %d attempt(s)", f.Attempts)
		}
		recorder.Eventf(rf, nil, corev1.EventTypeWarning, redisv1alpha1.ReasonNotificationFailed, "Notify",
			"the %s notification to the webhook was %s: %v", f.Notification.Event, attempts, f.Err)
	}
}

// NotificationDelivered counts delivered notifications; pass it as the Notifier's OnDelivered.
func NotificationDelivered(n notify.Notification, _ int) {
	notificationsTotal.WithLabelValues(n.Resource.Namespace, n.Resource.Name, "delivered").Inc()
}

// Package notify posts a RedisFailover's notifications (the same state changes its Events
// report) to a webhook, outside the reconcile loop: Send never blocks, each RedisFailover's
// notifications are delivered one at a time and in order, a failed delivery is retried with
// backoff, and a notification that cannot be delivered is reported, never silently dropped.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
)

// Notification is the JSON body of one webhook call.
type Notification struct {
	// Resource is the RedisFailover the notification is about.
	Resource Resource `json:"resource"`
	// Event is the Event reason, e.g. MasterChanged, NotReady, Ready, SwitchoverSucceeded.
	Event string `json:"event"`
	// Type is the Event type: Normal or Warning.
	Type string `json:"type"`
	// Reason is the Event's message: what happened and why.
	Reason string `json:"reason"`
	// Master is the master the status names when the notification is sent, if any.
	Master string `json:"master,omitempty"`
	// OldMaster and NewMaster are set when the master changed (Event MasterChanged).
	OldMaster string `json:"oldMaster,omitempty"`
	NewMaster string `json:"newMaster,omitempty"`
	// Time is when the operator saw it happen.
	Time time.Time `json:"time"`
}

// Resource names the RedisFailover.
type Resource struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Namespace  string    `json:"namespace"`
	Name       string    `json:"name"`
	UID        types.UID `json:"uid"`
}

// URLSource reads the webhook URL when a notification is delivered, so that a changed Secret
// takes effect at the next notification and the URL is never cached.
type URLSource func(ctx context.Context) (string, error)

// Failure is a notification given up on, with why.
type Failure struct {
	Notification Notification
	Attempts     int
	Err          error
}

// Options are the delivery settings; zero fields take the defaults.
type Options struct {
	// Timeout bounds one HTTP call (default 5 s).
	Timeout time.Duration
	// Attempts is how often a delivery is tried before it is given up (default 6).
	Attempts int
	// Backoff is the wait after the first failed attempt, doubled after each (default 1 s,
	// capped at MaxBackoff, default 30 s): 31 s of waits in all with the defaults.
	Backoff, MaxBackoff time.Duration
	// QueueLength is how many notifications of one RedisFailover wait at most (default 100).
	QueueLength int
	// OnFailure is told of every notification given up on (failed deliveries, a full queue).
	OnFailure func(Failure)
	// OnDelivered is told of every delivered notification, with the attempts it took.
	OnDelivered func(n Notification, attempts int)
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.QueueLength <= 0 {
		o.QueueLength = 100
	}
	return o
}

// Notifier delivers notifications. Start runs it (a controller-runtime Runnable); Send before
// Start queues.
type Notifier struct {
	opts   Options
	client *http.Client
	log    logr.Logger

	mu      sync.Mutex
	ctx     context.Context
	queues  map[types.NamespacedName]*queue
	stopped bool
}

type queue struct {
	items chan item
	stop  context.CancelFunc
}

type item struct {
	n   Notification
	url URLSource
}

// New returns a Notifier; log receives one line per delivery and per failure.
func New(opts Options, log logr.Logger) *Notifier {
	opts = opts.withDefaults()
	return &Notifier{opts: opts, log: log, queues: map[types.NamespacedName]*queue{},
		client: &http.Client{Timeout: opts.Timeout}}
}

// Start delivers until ctx ends.
func (n *Notifier) Start(ctx context.Context) error {
	n.mu.Lock()
	n.ctx = ctx
	for key, q := range n.queues {
		n.run(key, q)
	}
	n.mu.Unlock()
	<-ctx.Done()
	n.mu.Lock()
	n.stopped = true
	n.mu.Unlock()
	return nil
}

// NeedLeaderElection: only the operator replica that acts notifies, or every notification
// would arrive once per replica.
func (n *Notifier) NeedLeaderElection() bool { return true }

// Send queues a notification for the RedisFailover key. It never blocks: when the queue is full
// (a receiver that is down for long), the notification is given up on and reported.
func (n *Notifier) Send(key types.NamespacedName, url URLSource, notification Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	q, ok := n.queues[key]
	if !ok {
		q = &queue{items: make(chan item, n.opts.QueueLength)}
		n.queues[key] = q
		if n.ctx != nil {
			n.run(key, q)
		}
	}
	select {
	case q.items <- item{n: notification, url: url}:
	default:
		n.fail(Failure{Notification: notification, Err: fmt.Errorf("%d notifications of %s are already waiting for the webhook", n.opts.QueueLength, key)})
	}
}

// Forget stops delivering for a RedisFailover that is gone; what is queued is dropped.
func (n *Notifier) Forget(key types.NamespacedName) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if q, ok := n.queues[key]; ok {
		if q.stop != nil {
			q.stop()
		}
		delete(n.queues, key)
	}
}

// run starts the queue's worker; n.mu is held.
func (n *Notifier) run(key types.NamespacedName, q *queue) {
	ctx, cancel := context.WithCancel(n.ctx)
	q.stop = cancel
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case it := <-q.items:
				n.deliver(ctx, key, it)
			}
		}
	}()
}

// deliver tries one notification until it is delivered, refused for good, or out of attempts.
func (n *Notifier) deliver(ctx context.Context, key types.NamespacedName, it item) {
	body, err := json.Marshal(it.n)
	if err != nil {
		n.fail(Failure{Notification: it.n, Err: fmt.Errorf("encoding the notification: %w", err)})
		return
	}
	wait := n.opts.Backoff
	for attempt := 1; attempt <= n.opts.Attempts; attempt++ {
		retry, err := n.post(ctx, it.url, body)
		if err == nil {
			n.log.V(1).Info("notification delivered", "redisfailover", key.String(), "event", it.n.Event, "attempts", attempt)
			if n.opts.OnDelivered != nil {
				n.opts.OnDelivered(it.n, attempt)
			}
			return
		}
		if !retry || attempt == n.opts.Attempts {
			n.fail(Failure{Notification: it.n, Attempts: attempt, Err: err})
			return
		}
		n.log.Info("notification not delivered; retrying", "redisfailover", key.String(), "event", it.n.Event, "attempt", attempt, "retryIn", wait, "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, n.opts.MaxBackoff)
	}
}

// post makes one call; retry says whether a later attempt may succeed.
func (n *Notifier) post(ctx context.Context, url URLSource, body []byte) (retry bool, err error) {
	target, err := url(ctx)
	if err != nil {
		// A Secret being created or fixed: worth another try.
		return true, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("the webhook URL is not a valid URL: %w", withoutURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "redis-failover-operator")
	resp, err := n.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("posting to the webhook: %w", withoutURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return false, fmt.Errorf("the webhook answered %s (not retried: the request itself was refused)", resp.Status)
}

func (n *Notifier) fail(f Failure) {
	n.log.Info("notification given up", "redisfailover", f.Notification.Resource.Namespace+"/"+f.Notification.Resource.Name,
		"event", f.Notification.Event, "attempts", f.Attempts, "error", f.Err.Error())
	if n.opts.OnFailure != nil {
		n.opts.OnFailure(f)
	}
}

// withoutURL keeps the URL, which may carry a token in its path or query, out of errors that
// end up in logs and Events: net/http wraps its errors in a *url.Error that quotes it.
func withoutURL(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	"k8s.io/apimachinery/pkg/types"
)

// receiver is a real HTTP server that records bodies and answers with the statuses it is given,
// one per call (200 once they run out).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	bodies   []Notification
	calls    int
	srv      *httptest.Server
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls++
		if ct := req.Header.Get("Content-Type"); ct != "application/json" || req.Method != http.MethodPost {
			t.Errorf("%s with Content-Type %q, want POST application/json", req.Method, ct)
		}
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		if status == http.StatusOK {
			var n Notification
			if err := json.Unmarshal(body, &n); err != nil {
				t.Errorf("body %s: %v", body, err)
			}
			r.bodies = append(r.bodies, n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notification(nil), r.bodies...)
}

func fixed(url string) URLSource { return func(context.Context) (string, error) { return url, nil } }

type outcomes struct {
	mu        sync.Mutex
	failures  []Failure
	delivered map[string]int // event -> attempts
}

func start(t *testing.T, opts Options) (*Notifier, *outcomes) {
	t.Helper()
	o := &outcomes{delivered: map[string]int{}}
	opts.OnFailure = func(f Failure) { o.mu.Lock(); o.failures = append(o.failures, f); o.mu.Unlock() }
	opts.OnDelivered = func(n Notification, attempts int) { o.mu.Lock(); o.delivered[n.Event] = attempts; o.mu.Unlock() }
	n := New(opts, testr.New(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = n.Start(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return n, o
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var key = types.NamespacedName{Namespace: "ns", Name: "cache"}

func notification(event string) Notification {
	return Notification{Resource: Resource{APIVersion: "redis.failover.dev/v1alpha1", Kind: "RedisFailover", Namespace: "ns", Name: "cache", UID: "u1"},
		Event: event, Type: "Warning", Reason: "the master moved from rfr-cache-0 to rfr-cache-1",
		OldMaster: "rfr-cache-0", NewMaster: "rfr-cache-1", Master: "rfr-cache-1", Time: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
}

func TestDeliversInOrderWithEveryField(t *testing.T) {
	r := newReceiver(t)
	n, _ := start(t, Options{})
	for _, e := range []string{"NotReady", "MasterChanged", "Ready"} {
		n.Send(key, fixed(r.srv.URL), notification(e))
	}
	waitFor(t, "three deliveries", func() bool { return len(r.received()) == 3 })
	got := r.received()
	for i, want := range []string{"NotReady", "MasterChanged", "Ready"} {
		if got[i].Event != want {
			t.Errorf("delivery %d is %s, want %s (in order)", i, got[i].Event, want)
		}
	}
	if want := notification("NotReady"); got[0] != want {
		t.Errorf("received %+v, want %+v", got[0], want)
	}
}

func TestRetriesWithBackoffUntilDelivered(t *testing.T) {
	r := newReceiver(t, http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError)
	n, o := start(t, Options{Backoff: 20 * time.Millisecond})
	began := time.Now()
	n.Send(key, fixed(r.srv.URL), notification("MasterChanged"))
	waitFor(t, "a delivery", func() bool { return len(r.received()) == 1 })
	// 20 + 40 + 80 ms of backoff before the fourth attempt.
	if took := time.Since(began); took < 140*time.Millisecond {
		t.Errorf("delivered after %s: the three waits of 20, 40 and 80 ms were not made", took)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.delivered["MasterChanged"] != 4 || len(o.failures) != 0 {
		t.Errorf("delivered after %d attempts, failures %v; want 4 attempts, none", o.delivered["MasterChanged"], o.failures)
	}
}

func TestRefusedRequestIsNotRetriedAndIsReported(t *testing.T) {
	r := newReceiver(t, http.StatusBadRequest)
	n, o := start(t, Options{Backoff: time.Millisecond})
	n.Send(key, fixed(r.srv.URL), notification("MasterChanged"))
	waitFor(t, "the failure report", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return len(o.failures) == 1 })
	o.mu.Lock()
	f := o.failures[0]
	o.mu.Unlock()
	if f.Attempts != 1 || !strings.Contains(f.Err.Error(), "400") {
		t.Errorf("failure %+v, want one attempt and the 400 named", f)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls != 1 {
		t.Errorf("%d calls, want 1", r.calls)
	}
}

func TestGivesUpAfterAttemptsWithoutTheURLInTheError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/hook?token=s3cret"
	l.Close() // nothing listens: every attempt is refused
	n, o := start(t, Options{Attempts: 3, Backoff: time.Millisecond})
	n.Send(key, fixed(url), notification("NotReady"))
	waitFor(t, "the failure report", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return len(o.failures) == 1 })
	o.mu.Lock()
	f := o.failures[0]
	o.mu.Unlock()
	if f.Attempts != 3 {
		t.Errorf("gave up after %d attempts, want 3", f.Attempts)
	}
	if strings.Contains(f.Err.Error(), "s3cret") {
		t.Errorf("the error shows the URL's token: %v", f.Err)
	}
	if !strings.Contains(f.Err.Error(), "refused") {
		t.Errorf("the error does not say why: %v", f.Err)
	}
}

func TestURLSourceErrorsAreRetriedThenReported(t *testing.T) {
	n, o := start(t, Options{Attempts: 2, Backoff: time.Millisecond})
	calls := 0
	n.Send(key, func(context.Context) (string, error) {
		calls++
		return "", errors.New(`the Secret ns/hook has no key "url"`)
	}, notification("Ready"))
	waitFor(t, "the failure report", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return len(o.failures) == 1 })
	o.mu.Lock()
	defer o.mu.Unlock()
	if calls != 2 || !strings.Contains(o.failures[0].Err.Error(), `no key "url"`) {
		t.Errorf("URL read %d times, failure %v; want 2 reads and the Secret's problem", calls, o.failures[0].Err)
	}
}

func TestSendNeverBlocksOnAHangingReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); srv.Close() })
	n, o := start(t, Options{QueueLength: 2, Timeout: time.Minute})
	began := time.Now()
	for range 10 {
		n.Send(key, fixed(srv.URL), notification("NotReady"))
	}
	if took := time.Since(began); took > time.Second {
		t.Fatalf("10 sends took %s with the receiver hanging", took)
	}
	// One in flight, two queued: the other seven are reported, not silently dropped.
	waitFor(t, "the overflow reports", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return len(o.failures) >= 7 })
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.failures) > 8 || !strings.Contains(o.failures[0].Err.Error(), "already waiting") {
		t.Errorf("%d failures, first %v; want 7 or 8 (the first may not have left the queue yet) saying the queue is full", len(o.failures), o.failures[0].Err)
	}
}

func TestForgetStopsDelivering(t *testing.T) {
	r := newReceiver(t, http.StatusServiceUnavailable)
	n, _ := start(t, Options{Backoff: 200 * time.Millisecond})
	n.Send(key, fixed(r.srv.URL), notification("NotReady"))
	waitFor(t, "the first attempt", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.calls == 1 })
	n.Forget(key)
	time.Sleep(400 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls != 1 {
		t.Errorf("%d calls after Forget, want the retry dropped", r.calls)
	}
}

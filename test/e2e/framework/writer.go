package framework

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/test/checkwriter"
)

// SentinelPort is the port the sentinel Service and pods listen on.
const SentinelPort = 26379

// writerStartTimeout bounds the wait for the writer's first acknowledged write.
const writerStartTimeout = time.Minute

// WriterTarget is what a checking writer connects to, as an application would: the sentinel
// Service of a RedisFailover, the master name, and the password (for Redis and the sentinels).
type WriterTarget struct {
	Namespace       string
	SentinelService string
	MasterName      string
	Password        string
}

// Writer is a checkwriter.Writer bound to one test. Mark the moments of the operation under
// test; StopAndVerify logs the gaps around them and fails the test for every lost write.
type Writer struct {
	*checkwriter.Writer
	t     testing.TB
	f     *Framework
	addrs []string

	mu    sync.Mutex
	marks []mark
}

type mark struct {
	what string
	at   time.Time
}

// StartWriter starts a checking writer (test/checkwriter) against target and returns once its
// first write is acknowledged. It runs on the test host: the local cluster's pod and Service
// addresses route from there. It connects to the sentinel Service's ClusterIP, then to each
// sentinel pod, which is how go-redis would find the sentinels anyway, and what Verify asks.
// The writer is stopped when the test ends if StopAndVerify was not called.
func (f *Framework) StartWriter(t testing.TB, target WriterTarget) *Writer {
	t.Helper()
	ctx := t.Context()
	addrs, err := f.sentinelAddrs(ctx, target)
	if err != nil {
		t.Fatalf("checking writer: %v", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, writerStartTimeout)
	defer cancel()
	cw, err := checkwriter.Start(startCtx, checkwriter.Options{
		SentinelAddrs: addrs, MasterName: target.MasterName,
		Password: target.Password, SentinelPassword: target.Password,
	})
	if err != nil {
		t.Fatalf("starting the checking writer: %v", err)
	}
	t.Cleanup(cw.Stop)
	t.Logf("checking writer: writing a key every %s through sentinels %v (master %q)", checkwriter.DefaultInterval, addrs, target.MasterName)
	return &Writer{Writer: cw, t: t, f: f, addrs: addrs}
}

func (f *Framework) sentinelAddrs(ctx context.Context, target WriterTarget) ([]string, error) {
	var svc corev1.Service
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: target.Namespace, Name: target.SentinelService}, &svc); err != nil {
		return nil, fmt.Errorf("getting the sentinel Service %s/%s: %w", target.Namespace, target.SentinelService, err)
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil, fmt.Errorf("the sentinel Service %s/%s has no ClusterIP", target.Namespace, target.SentinelService)
	}
	addrs := []string{net.JoinHostPort(svc.Spec.ClusterIP, fmt.Sprint(SentinelPort))}
	var pods corev1.PodList
	if err := f.Client.List(ctx, &pods, client.InNamespace(target.Namespace), client.MatchingLabels(svc.Spec.Selector)); err != nil {
		return nil, fmt.Errorf("listing the sentinel pods of %s/%s: %w", target.Namespace, target.SentinelService, err)
	}
	for _, p := range pods.Items {
		if p.Status.PodIP != "" && p.DeletionTimestamp == nil {
			addrs = append(addrs, net.JoinHostPort(p.Status.PodIP, fmt.Sprint(SentinelPort)))
		}
	}
	return addrs, nil
}

// Mark records that something happened now (e.g. "master pod deleted"); StopAndVerify logs
// the writer's gap around it. It returns the moment.
func (w *Writer) Mark(what string) time.Time {
	now := time.Now()
	w.mu.Lock()
	w.marks = append(w.marks, mark{what: what, at: now})
	w.mu.Unlock()
	return now
}

// WaitWritesAfter waits until a write is acknowledged after moment m: the clients write again.
func (w *Writer) WaitWritesAfter(ctx context.Context, m time.Time, timeout time.Duration) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := w.WaitAckAfter(ctx, m); err != nil {
		w.t.Fatalf("no write acknowledged through the sentinels within %s after %s: %v; %s",
			timeout, m.Format("15:04:05.000"), err, describe(w.Summary()))
	}
}

// StopAndVerify stops the writer, waits until the sentinels agree on a master, reads every
// acknowledged key there and fails the test for each one that is missing. It logs the counts,
// the errors the client saw and the gaps (around each Mark and over the whole run); gaps are
// figures, never asserted.
func (w *Writer) StopAndVerify(ctx context.Context) checkwriter.Verdict {
	w.t.Helper()
	w.Stop()
	s := w.Summary()
	w.t.Logf("checking writer: %s", describe(s))
	w.mu.Lock()
	marks := append([]mark(nil), w.marks...)
	w.mu.Unlock()
	for _, m := range marks {
		g := w.GapAround(m.at)
		after := w.LongestGap(m.at, time.Time{})
		if g.Duration() == 0 {
			w.t.Logf("checking writer: no acknowledgement on both sides of %q; longest gap after it %s", m.what, ms(after.Duration()))
			continue
		}
		w.t.Logf("checking writer: gap around %q: %s (last ack %s before, next %s after); longest gap after it %s",
			m.what, ms(g.Duration()), ms(m.at.Sub(g.From)), ms(g.To.Sub(m.at)), ms(after.Duration()))
	}

	WaitFor(ctx, w.t, time.Minute, "the sentinels to agree on the final master", func(ctx context.Context) (bool, error) {
		_, err := checkwriter.FinalMaster(ctx, w.addrs, w.Options().MasterName, w.Options().SentinelPassword)
		return err == nil, err
	})
	v, err := w.Verify(ctx)
	if err != nil {
		w.t.Fatalf("checking writer: verifying: %v", err)
	}
	w.t.Logf("checking writer: %d acknowledged writes checked on the final master %s: %d lost", v.Checked, v.Master, len(v.Lost))
	for i, l := range v.Lost {
		if i == 10 {
			w.t.Errorf("checking writer: ... and %d more lost writes", len(v.Lost)-i)
			break
		}
		w.t.Errorf("checking writer: acknowledged write %d (%s, acknowledged %s) is not on the final master %s",
			l.Seq, l.Key, l.Acked.Format("15:04:05.000"), v.Master)
	}
	return v
}

func describe(s checkwriter.Summary) string {
	var errs []string
	for i, e := range s.Errors {
		if i == 5 {
			errs = append(errs, fmt.Sprintf("%d more kinds", len(s.Errors)-i))
			break
		}
		errs = append(errs, fmt.Sprintf("%d× %q (%s..%s)", e.Count, e.Err, e.First.Format("15:04:05.000"), e.Last.Format("15:04:05.000")))
	}
	out := fmt.Sprintf("%d writes, %d acknowledged, %d failed; longest gap %s", s.Attempts, s.Acked, s.Failed, ms(s.Longest.Duration()))
	if !s.Longest.From.IsZero() {
		out += fmt.Sprintf(" (%s to %s)", s.Longest.From.Format("15:04:05.000"), s.Longest.To.Format("15:04:05.000"))
	}
	if len(errs) > 0 {
		out += "; errors: " + strings.Join(errs, ", ")
	}
	return out
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

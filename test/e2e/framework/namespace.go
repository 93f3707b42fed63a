package framework

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NamespaceDeleteTimeout bounds the wait for a test's namespace to be gone after the test.
const NamespaceDeleteTimeout = 2 * time.Minute

// CreateNamespace makes a fresh namespace "e2e-<prefix>-<random>" for one test and waits until
// pods can be created in it (its default ServiceAccount exists). When the test ends the namespace
// is dumped if the test failed, then deleted, and the cleanup waits until it is gone so that the
// next test and `make cluster-down` find no leftovers.
func (f *Framework) CreateNamespace(t testing.TB, prefix string) string {
	t.Helper()
	ctx := t.Context()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "e2e-" + strings.ToLower(prefix) + "-",
		Labels:       map[string]string{"e2e.redis.failover.dev/test": sanitizeLabel(t.Name())},
	}}
	if err := f.Client.Create(ctx, ns); err != nil {
		t.Fatalf("creating namespace for %s: %v", t.Name(), err)
	}
	name := ns.Name
	t.Logf("namespace %s", name)
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), NamespaceDeleteTimeout+30*time.Second)
		defer cancel()
		if t.Failed() {
			f.DumpNamespace(ctx, t, name)
		}
		f.deleteNamespace(ctx, t, name)
	})

	WaitFor(ctx, t, 30*time.Second, "the default ServiceAccount in "+name, func(ctx context.Context) (bool, error) {
		err := f.Client.Get(ctx, client.ObjectKey{Namespace: name, Name: "default"}, &corev1.ServiceAccount{})
		if err != nil {
			return false, err
		}
		return true, nil
	})
	return name
}

func (f *Framework) deleteNamespace(ctx context.Context, t testing.TB, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := f.Client.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("deleting namespace %s: %v", name, err)
		return
	}
	err := Poll(ctx, NamespaceDeleteTimeout, func(ctx context.Context) (bool, error) {
		err := f.Client.Get(ctx, client.ObjectKey{Name: name}, &corev1.Namespace{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return false, fmt.Errorf("namespace %s still exists", name)
	})
	if err != nil {
		t.Errorf("namespace %s was not deleted in %s: %v", name, NamespaceDeleteTimeout, err)
	}
}

// sanitizeLabel turns a test name into a valid label value (63 characters of [-_.a-zA-Z0-9]).
func sanitizeLabel(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return strings.Trim(string(b), "-_.")
}

package controllers

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestNeedsApply(t *testing.T) {
	owner := types.NamespacedName{Namespace: "ns", Name: "cache"}
	key := appliedKey{owner: owner, kind: "ConfigMap", name: "rfr-cache"}
	at := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	const resync = time.Minute
	tests := []struct {
		name     string
		recorded bool
		content  string
		live     string
		now      time.Time
		want     bool
	}{
		{name: "never applied", recorded: false, content: "c1", live: "rv:5", now: at, want: true},
		{name: "same content, object as the apply left it", recorded: true, content: "c1", live: "rv:5", now: at.Add(time.Second), want: false},
		{name: "the spec changed what is rendered", recorded: true, content: "c2", live: "rv:5", now: at.Add(time.Second), want: true},
		{name: "someone edited the object", recorded: true, content: "c1", live: "rv:9", now: at.Add(time.Second), want: true},
		{name: "the object is gone from the cache", recorded: true, content: "c1", live: "", now: at.Add(time.Second), want: true},
		{name: "a resync period passed", recorded: true, content: "c1", live: "rv:5", now: at.Add(resync), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a appliedObjects
			if tt.recorded {
				a.record(key, "c1", "rv:5", at)
			}
			if got := a.needsApply(key, tt.content, tt.live, tt.now, resync); got != tt.want {
				t.Errorf("needsApply = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestForgetDropsOnlyThatRedisFailover(t *testing.T) {
	at := time.Now()
	var a appliedObjects
	gone := appliedKey{owner: types.NamespacedName{Namespace: "ns", Name: "a"}, kind: "Service", name: "rfs-a"}
	kept := appliedKey{owner: types.NamespacedName{Namespace: "ns", Name: "b"}, kind: "Service", name: "rfs-b"}
	a.record(gone, "c", "rv:1", at)
	a.record(kept, "c", "rv:1", at)
	a.forget(gone.owner)
	if !a.needsApply(gone, "c", "rv:1", at, time.Minute) {
		t.Error("the forgotten RedisFailover's object would not be applied again")
	}
	if a.needsApply(kept, "c", "rv:1", at, time.Minute) {
		t.Error("forgetting one RedisFailover dropped another one's record")
	}
}

func TestFingerprint(t *testing.T) {
	sts := func(gen int64, rv string, labels map[string]string) *appsv1.StatefulSet {
		return &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Generation: gen, ResourceVersion: rv, Labels: labels}}
	}
	base := fingerprint(sts(3, "100", map[string]string{"a": "1"}))
	if got := fingerprint(sts(3, "101", map[string]string{"a": "1"})); got != base {
		t.Errorf("a status update (resourceVersion only) changed a StatefulSet's fingerprint: %q vs %q", got, base)
	}
	if got := fingerprint(sts(4, "100", map[string]string{"a": "1"})); got == base {
		t.Error("a spec change (generation) did not change the fingerprint")
	}
	if got := fingerprint(sts(3, "100", map[string]string{"a": "2"})); got == base {
		t.Error("a label change did not change the fingerprint")
	}
	cm := func(rv string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv}}
	}
	if fingerprint(cm("7")) == fingerprint(cm("8")) {
		t.Error("an edited ConfigMap (new resourceVersion) kept its fingerprint")
	}
}

func TestContentHashIsStable(t *testing.T) {
	a, err := contentHash(map[string]any{"b": 1, "a": map[string]any{"y": "2", "x": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := contentHash(map[string]any{"a": map[string]any{"x": "1", "y": "2"}, "b": 1})
	c, _ := contentHash(map[string]any{"a": map[string]any{"x": "1", "y": "3"}, "b": 1})
	if a != b {
		t.Error("equal content hashed differently")
	}
	if a == c {
		t.Error("different content hashed equally")
	}
}

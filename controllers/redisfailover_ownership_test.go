package controllers

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func TestForeignController(t *testing.T) {
	ours := types.UID("ours")
	ref := func(uid types.UID, controller bool) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: "databases.spotahome.com/v1", Kind: "RedisFailover", Name: "cache", UID: uid, Controller: ptr.To(controller)}
	}
	cases := []struct {
		name string
		refs []metav1.OwnerReference
		want bool
	}{
		{"no owner: ours to apply", nil, false},
		{"controlled by this RedisFailover", []metav1.OwnerReference{ref(ours, true)}, false},
		{"controlled by spotahome's RedisFailover", []metav1.OwnerReference{ref("theirs", true)}, true},
		{"only a non-controlling owner", []metav1.OwnerReference{ref("theirs", false)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := &metav1.ObjectMeta{OwnerReferences: tc.refs}
			if got := foreignController(obj, ours) != nil; got != tc.want {
				t.Errorf("foreignController = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOwnedElsewhereMessageAndPredecessor(t *testing.T) {
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Name: "cache", UID: "new"}}
	spotahome := metav1.OwnerReference{APIVersion: "databases.spotahome.com/v1", Kind: "RedisFailover", Name: "cache", UID: "theirs"}
	predecessor := metav1.OwnerReference{APIVersion: redisv1alpha1.GroupVersion.String(), Kind: "RedisFailover", Name: "cache", UID: "old"}

	conflicts := []ownedElsewhere{{kind: "ConfigMap", name: "rfr-cache", owner: spotahome}, {kind: "StatefulSet", name: "rfr-cache", owner: spotahome}}
	msg := describeOwnedElsewhere(conflicts)
	for _, want := range []string{"ConfigMap rfr-cache, StatefulSet rfr-cache already exist", "belong to RedisFailover.databases.spotahome.com cache:", "another metadata.name"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if allPredecessor(conflicts, rf) {
		t.Error("spotahome's objects taken for a deleted RedisFailover's")
	}
	if !allPredecessor([]ownedElsewhere{{kind: "StatefulSet", name: "rfr-cache", owner: predecessor}}, rf) {
		t.Error("the objects of a deleted RedisFailover of the same name are not recognised: the user would be told to rename")
	}
	if allPredecessor([]ownedElsewhere{{owner: predecessor}, {owner: spotahome}}, rf) {
		t.Error("a mix of a predecessor's and spotahome's objects must be reported")
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

func TestPrintStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	started := metav1.NewTime(now.Add(-90 * time.Second))
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cache"}}
	rf.Status = redisv1alpha1.RedisFailoverStatus{
		MasterName: "cache",
		Master:     &redisv1alpha1.MasterStatus{Pod: "rfr-cache-1", IP: "10.244.0.7", Port: 6379},
		Conditions: []metav1.Condition{
			{Type: redisv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Ready", Message: "master rfr-cache-1"},
			{Type: redisv1alpha1.ConditionSwitchover, Status: metav1.ConditionTrue, Reason: redisv1alpha1.ReasonSwitchoverSucceeded, Message: "moved"},
		},
		Nodes: []redisv1alpha1.NodeStatus{
			{Pod: "rfr-cache-0", Role: role.Replica, IP: "10.244.0.6", MasterLinkStatus: "up", ReplicationOffset: 990, LagBytes: 10},
			{Pod: "rfr-cache-1", Role: role.Master, IP: "10.244.0.7", ReplicationOffset: 1000},
		},
		Sentinels: redisv1alpha1.SentinelsStatus{Expected: 3, Ready: 3, Agreeing: 3, Quorum: 2},
		Switchover: &redisv1alpha1.SwitchoverStatus{Requested: "rfr-cache-1", Target: "rfr-cache-1", From: "rfr-cache-0",
			Phase: redisv1alpha1.SwitchoverSucceeded, Started: &started, Result: "the master moved from rfr-cache-0 to rfr-cache-1"},
	}
	var out bytes.Buffer
	if err := printStatus(&out, rf, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"shop/cache", "rfr-cache-1 (10.244.0.7:6379)", "Ready:", "True (Ready)", "Switchover:", "SwitchoverSucceeded",
		"3 ready, 3 agree, quorum 2, 3 expected",
		`Succeeded, requested "rfr-cache-1" from rfr-cache-0 to rfr-cache-1, started 1m30s ago: the master moved`,
		"rfr-cache-0  replica  10.244.0.6  up", "rfr-cache-1  master   10.244.0.7  -",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestIsNewSwitchover(t *testing.T) {
	t1, t2 := metav1.NewTime(time.Unix(100, 0)), metav1.NewTime(time.Unix(200, 0))
	cases := []struct {
		name       string
		before, sw *redisv1alpha1.SwitchoverStatus
		want       bool
	}{
		{name: "no earlier switchover", before: nil, sw: &redisv1alpha1.SwitchoverStatus{Started: &t1}, want: true},
		{name: "the earlier one is still shown", before: &redisv1alpha1.SwitchoverStatus{Started: &t1}, sw: &redisv1alpha1.SwitchoverStatus{Started: &t1}, want: false},
		{name: "a later one", before: &redisv1alpha1.SwitchoverStatus{Started: &t1}, sw: &redisv1alpha1.SwitchoverStatus{Started: &t2}, want: true},
	}
	for _, tc := range cases {
		if got := isNewSwitchover(tc.before, tc.sw); got != tc.want {
			t.Errorf("%s: isNewSwitchover = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSwitchoverValue(t *testing.T) {
	if got := switchoverValue(""); got != redisv1alpha1.SwitchoverToAny {
		t.Errorf("no --to: %q, want %q", got, redisv1alpha1.SwitchoverToAny)
	}
	if got := switchoverValue("rfr-cache-2"); got != "rfr-cache-2" {
		t.Errorf("--to rfr-cache-2: %q", got)
	}
}

package main

import (
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		in   []float64
		want string
	}{
		{nil, "–"},
		{[]float64{7}, "7 / 7 / 7"},
		{[]float64{30, 10, 20}, "10 / 20 / 30"},
		{[]float64{40, 10, 20, 30}, "10 / 25 / 40"},
	}
	for _, tc := range cases {
		if got := summarize(tc.in).String(); got != tc.want {
			t.Errorf("summarize(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestGoalMet(t *testing.T) {
	ok := func(gap float64, lost int, lag float64) result {
		return result{GapMs: gap, Lost: lost, LabelLagMs: &lag, SwitchMs: ptrTo(1)}
	}
	cases := []struct {
		row  string
		rs   []result
		want string
	}{
		{"graceful-delete", []result{ok(40, 0, 100), ok(60, 0, 100), ok(900, 0, 100)}, "met"},
		{"graceful-delete", []result{ok(40, 0, 100), ok(60, 1, 100), ok(90, 0, 100)}, "**not met**: writes lost"},
		{"switchover", []result{ok(140, 0, 100), ok(160, 0, 100)}, "**not met**: median gap > 100 ms"},
		{"rolling-update", []result{ok(100, 0, 100), ok(1200, 0, 100)}, "**not met**: worst gap > 1 s"},
		// Unplanned rows may lose writes; only the gap counts, against down-after + 500 ms.
		{"sigkill", []result{ok(3300, 2, 100), ok(3400, 0, 100), ok(3600, 0, 100)}, "met"},
		{"force-delete", []result{ok(3600, 0, 100), ok(3700, 0, 100)}, "**not met**: median gap > 3500 ms"},
		{"sigkill", []result{ok(3300, 0, 700), ok(3300, 0, 800)}, "**not met**: median label lag > 500 ms"},
		{"graceful-delete", []result{{Err: "boom"}}, ""},
	}
	for _, tc := range cases {
		if got := goalMet(tc.row, figures(tc.rs), 3000); got != tc.want {
			t.Errorf("goalMet(%s, %+v) = %q, want %q", tc.row, tc.rs, got, tc.want)
		}
	}
}

func TestFirstSwitchAndLabelMoved(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	events := []sentinelEvent{
		{at: at(-500), channel: "+switch-master", payload: "bench 10.0.0.9 6379 10.0.0.1 6379"}, // an earlier failover
		{at: at(3010), sentinel: "b", channel: "+switch-master", payload: "bench 10.0.0.1 6379 10.0.0.2 6379"},
		{at: at(3005), sentinel: "a", channel: "+switch-master", payload: "bench 10.0.0.1 6379 10.0.0.2 6379"},
		{at: at(3000), channel: "+sdown", payload: "master bench 10.0.0.1 6379"},
		{at: at(3001), channel: "+switch-master", payload: "malformed"},
	}
	sw, ok := firstSwitch(events, t0)
	if !ok || sw.newIP != "10.0.0.2" || !sw.at.Equal(at(3005)) {
		t.Fatalf("firstSwitch = %+v %v, want 10.0.0.2 at 3005 ms", sw, ok)
	}
	if _, ok := firstSwitch(events[:1], t0); ok {
		t.Error("a +switch-master before t0 counted")
	}
	roles := []roleEvent{
		{at: at(-100), pod: "p0", ip: "10.0.0.2", role: "replica"},
		{at: at(2900), pod: "p1", ip: "10.0.0.3", role: "master"},
		{at: at(3100), pod: "p2", ip: "10.0.0.2", role: "master"},
	}
	l, ok := labelMoved(roles, t0, sw.newIP)
	if !ok || l.pod != "p2" || l.at.Sub(sw.at) != 95*time.Millisecond {
		t.Fatalf("labelMoved = %+v %v, want p2 95 ms after the switch", l, ok)
	}
	if _, ok := labelMoved(roles, t0, "10.0.0.7"); ok {
		t.Error("a label on another address counted")
	}
}

func TestRenderReportPutsStockBesideOurs(t *testing.T) {
	lag := 120.0
	ours := phase{Impl: "redis-failover", DownAfterMs: 3000, Runs: 2, Rows: []string{"graceful-delete", "switchover"},
		Results: map[string][]result{
			"graceful-delete": {{Row: "graceful-delete", Run: 1, GapMs: 50, GapAtMs: 5, HandoverGapMs: ptrTo(40), SwitchMs: ptrTo(10), LabelLagMs: &lag}, {Row: "graceful-delete", Run: 2, Err: "timeout"}},
			"switchover":      {{Row: "switchover", Run: 1, Unavailable: "the operator did not move the master"}},
		}}
	stock := phase{Impl: "redis-sentinel", DownAfterMs: 3000, Runs: 2, Rows: []string{"graceful-delete"},
		Results: map[string][]result{"graceful-delete": {{Row: "graceful-delete", Run: 1, GapMs: 4000, GapAtMs: 20, Lost: 3}}}}
	md := renderReport(reportInput{command: "make bench-e2e", commit: "abc", phases: []phase{ours, stock}})
	for _, want := range []string{
		"| graceful master pod deletion (`kubectl delete pod`) | ours | 1/2 | 50 / 50 / 50 | 5 / 5 / 5 | 40 / 40 / 40 | 0 / 0 / 0 | 10 / 10 / 10 | 120 / 120 / 120 |",
		"| graceful master pod deletion (`kubectl delete pod`) | redis-sentinel 7.0.15 (stock) | 1/1 | 4000 / 4000 / 4000 | 20 / 20 / 20 | – | 3 / 3 / 3 | – (none in 1) |",
		"0 lost, median gap ≤ 100 ms: met",
		"| ours | not available | the operator did not move the master |",
		"graceful master pod deletion (`kubectl delete pod`), ours: run 2: timeout",
		"`downAfterMilliseconds: 3000`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// Stock rows directly follow ours.
	if i, j := strings.Index(md, "| ours | 1/2"), strings.Index(md, "| redis-sentinel 7.0.15 (stock) | 1/1"); i < 0 || j < i {
		t.Errorf("the stock row does not follow ours:\n%s", md)
	}
}
